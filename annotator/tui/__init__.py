"""The Textual interface of annotator: screens and widgets over :class:`Workspace`."""
