"""Matrix entries for the cross-app pages in qaframework."""

from tests.matrix import Entry

ENTRIES = {
    # Marking one's own messages read: POST only, for everyone signed in.
    "notifications-read": (Entry({"default": (405, 302)}),),
}
