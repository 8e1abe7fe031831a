"""Signals that an app sends and the site layer answers (DESIGN §3)."""

from django.dispatch import Signal

# Sent by an admin that hands residents' personal data to a staff member in
# a file, before it answers. Keyword arguments: user, kind (what was
# exported, e.g. "sign-ups"), subject (the event or call, or ""), rows,
# file_format and filters (the list's query string). The site layer records
# each one (tongyun.services.record_export); a failure to record stops the
# export.
personal_data_exported = Signal()
