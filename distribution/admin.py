"""distribution's admin is in its sub-packages; Django's admin autodiscovery
imports this module, which imports each of them."""

from distribution.outreach import admin as outreach_admin
from distribution.publication import admin as publication_admin
from distribution.sales import admin as sales_admin

__all__ = ["outreach_admin", "publication_admin", "sales_admin"]
