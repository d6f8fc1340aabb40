"""Modal dialogs opened over the screens: pickers, forms, go-to, notes, help, history, stats."""
