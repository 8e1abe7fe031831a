from tests.servers import (  # noqa: F401 (fixtures of the tests that run the site)
    prepared_site,
    site,
)
