"""Word lists for the sentence segmenter's repair layer (see annotator.segment).

Tokens are written without their final period, as they appear before it in the text
("U.S" for "U.S.", "a.m" for "a.m."). Matching is case-sensitive unless noted.
"""

from __future__ import annotations

# Titles of address. Unlike ranks and offices ("U.S. Sen. Warren"), they never follow
# an abbreviation as part of one name, so after "U.S." one starts a new sentence.
PERSONAL_TITLES: frozenset[str] = frozenset(["Mr", "Mrs", "Ms", "Mx", "Messrs", "Mmes", "Dr", "Prof", "Mme", "Mlle"])

# Titles that stand before a name. They practically never end a sentence, so a break
# after one ("Sen. | Smith replied.") is always wrong, and a title right after a
# finished sentence ("... the building. Dr. Reyes stayed") starts the next one.
TITLES: frozenset[str] = frozenset(
    ["Mr", "Mrs", "Ms", "Mx", "Messrs", "Mmes", "Dr", "Drs", "Prof", "Profs", "Sen", "Sens", "Rep", "Reps", "Gov", "Govs", "Lt", "Gen", "Col", "Maj", "Capt", "Cmdr", "Cdr", "Adm", "Sgt", "Cpl", "Pvt", "Pfc", "Brig", "Lieut", "Rev", "Revd", "Fr", "Msgr", "Hon", "Pres", "Supt", "Insp", "Det", "Amb", "Atty", "Sec", "Secs", "Rt", "Spc", "Ens", "Gens", "Cols", "Mme", "Mlle"]
)

# Saint, Mount, Fort: they also abbreviate Street and Point at a sentence's end, so only
# a "sentence" that is nothing but one of them is known to be wrong ("St. | Michael's").
PLACE_PREFIXES: frozenset[str] = frozenset(["St", "Mt", "Ft", "Pt", "Ste"])

# Abbreviations that are followed by a number ("No. 5", "Jan. 14", "pp. 12"), so a
# break between them and a digit is wrong.
NUMBERED: frozenset[str] = frozenset(
    ["No", "Nos", "no", "nos", "Vol", "Vols", "vol", "vols", "p", "pp", "P", "Pp", "Art", "art", "Sec", "sec", "Ch", "ch", "Chap", "chap", "Fig", "fig", "figs", "Op", "op", "Ex", "ex", "Par", "par", "Pt", "pt", "Pts", "pts", "approx", "est", "ca", "Ca", "Rs", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
)

# Country and bloc abbreviations. "U.S. President Donald Trump" is one sentence, but
# "... backed by the U.S. The talks ..." is two: the word after decides (see TITLE_WORDS).
COUNTRIES: frozenset[str] = frozenset(["U.S", "U.K", "U.N", "E.U", "U.S.A", "U.A.E", "D.C"])

# Country names. A country abbreviation followed by one of them ends its sentence
# ("... condemned by the U.K. France called ..."): no noun phrase reads "U.S. Germany".
COUNTRY_NAMES: frozenset[str] = frozenset(
    ["Afghanistan", "Algeria", "Argentina", "Australia", "Austria", "Bahrain", "Belgium", "Brazil", "Britain", "Canada", "China", "Colombia", "Cuba", "Cyprus", "Denmark", "Egypt", "Ethiopia", "Finland", "France", "Germany", "Greece", "Hungary", "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Japan", "Jordan", "Kenya", "Kuwait", "Lebanon", "Libya", "Mexico", "Morocco", "Netherlands", "Nigeria", "Norway", "Oman", "Pakistan", "Palestine", "Poland", "Portugal", "Qatar", "Russia", "Spain", "Sudan", "Sweden", "Switzerland", "Syria", "Tunisia", "Turkey", "Ukraine", "Venezuela", "Yemen"]
)

# Capitalised words that continue a noun phrase after a country abbreviation
# ("U.S. President", "U.N. Security Council") rather than start a new sentence.
TITLE_WORDS: frozenset[str] = frozenset(
    ["President", "Vice", "Secretary", "Senator", "Senators", "Representative", "Ambassador", "Embassy", "Envoy", "Special", "Government", "Administration", "Congress", "Senate", "House", "Supreme", "Court", "Department", "State", "Treasury", "Army", "Navy", "Air", "Marine", "Marines", "Coast", "National", "Central", "Federal", "Security", "Council", "General", "Assembly", "Forces", "Military", "Defense", "Defence", "Attorney", "Justice", "Commerce", "Trade", "Energy", "Health", "Homeland", "Intelligence", "Prime", "Minister", "Ministry", "Foreign", "Chancellor", "Parliament", "Commission", "Commissioner", "Mission", "Delegation", "Representatives", "Officials", "Troops", "Soldiers", "Agency", "Bureau", "Office", "Capitol", "Humanitarian", "Relief", "Refugee", "Peacekeeping", "Charter", "Human", "Rights", "Food", "Children", "Development", "Population", "Environment", "Programme", "Program", "Census", "Citizenship", "Customs", "Immigration", "Border", "Patrol", "District", "Attorney's", "Postal", "Geological", "Constitution", "Conference", "Chamber"]
)

# Times of day. After them a weekday, month or time zone continues the sentence
# ("at 3 p.m. Monday"); see the time rules in annotator.segment.
TIMES: frozenset[str] = frozenset(["a.m", "p.m", "A.M", "P.M"])
TIME_FOLLOWERS: frozenset[str] = frozenset(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri", "Sat", "Sun", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "ET", "EST", "EDT", "CT", "CST", "CDT", "MT", "MST", "MDT", "PT", "PST", "PDT", "GMT", "BST", "UTC", "CET", "CEST", "EET", "EEST", "IST", "JST", "AEST", "AEDT", "Eastern", "Central", "Mountain", "Pacific", "Greenwich", "Universal", "Coordinated", "Local", "Today", "Tomorrow", "Yesterday", "Tonight"]
)

# Words that start a new sentence; a single capital letter before one of them is the
# end of a sentence ("... vitamin C. The study ...") rather than a middle initial.
SENTENCE_STARTERS: frozenset[str] = frozenset(
    ["The", "A", "An", "It", "It's", "Its", "He", "She", "They", "We", "I", "You", "This", "That", "These", "Those", "There", "Here", "But", "And", "Or", "So", "Yet", "Then", "Now", "In", "On", "At", "By", "For", "From", "To", "With", "As", "After", "Before", "When", "While", "If", "Although", "Though", "Because", "Since", "However", "Meanwhile", "Still", "Also", "His", "Her", "Their", "Our", "My", "Your", "What", "Why", "How", "Who", "Where", "Which", "No", "Not", "Some", "Many", "Most", "All", "One", "Two", "Three", "Several", "Officials", "Police", "Critics", "Analysts", "Residents"]
)

# Verbs of saying. A capitalised name plus one of these after a quoted question or
# exclamation is the attribution of that quote ("“Why now?” Moreno asked.").
SPEECH_VERBS: frozenset[str] = frozenset(
    ["said", "says", "asked", "asks", "added", "adds", "remarked", "remarks", "told", "tells", "shouted", "shouts", "replied", "replies", "wrote", "writes", "tweeted", "posted", "recalled", "recalls", "cried", "yelled", "wondered", "wonders", "demanded", "demands", "insisted", "insists", "exclaimed", "chanted", "whispered", "continued", "explained", "explains", "noted", "notes", "declared", "declares", "warned", "warns", "answered", "answers", "screamed", "pleaded", "urged", "urges", "joked", "jokes", "concluded", "stressed", "argued", "argues", "countered"]
)
