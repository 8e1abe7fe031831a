"""
Staff run calls for artworks and moderate what residents send.

Works come only through the public form (services.submit); here staff look
at them, change their status through services.moderate (which records who
reviewed and when), write a note to the submitter, and delete what must go,
files included (services.delete_artworks). Images live in private storage
with no public URL: the admin shows them through the site's image view
(artworks:image), which serves any work to staff who may view works here.
"""

from .artwork import ArtworkAdmin
from .call import CallAdmin
from .history import ArtworkHistoryAdmin, CallHistoryAdmin

__all__ = ["ArtworkAdmin", "ArtworkHistoryAdmin", "CallAdmin", "CallHistoryAdmin"]
