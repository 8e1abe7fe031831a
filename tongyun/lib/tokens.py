"""Secret links for people without accounts."""

import secrets


def new_token():
    """
    An unguessable token (192 bits), safe in a URL: whoever holds the link
    holds the ticket or the submission it names.
    """
    return secrets.token_urlsafe(24)
