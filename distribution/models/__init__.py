"""distribution's models, one module per area (as pretix's base/models/):
``publication`` (branding, the search index, rendered documents),
``outreach`` (references, campaigns, social posts, share links, the event
log) and ``sales`` (proposal packs). Everything is importable from here."""

from distribution.models.outreach import (
    Campaign,
    CampaignDelivery,
    CustomerSocial,
    Recipient,
    ReferencePreference,
    ReferenceRequest,
    ShareLink,
    ShareLinkVisit,
    SocialPost,
    StoryUse,
    Suppression,
)
from distribution.models.publication import (
    Branding,
    RenderedDocument,
    StorySearchEntry,
    document_upload_to,
)
from distribution.models.sales import (
    ProposalPack,
    ProposalPackStory,
    SalesSearchEntry,
    pack_upload_to,
)

__all__ = [
    "Branding",
    "Campaign",
    "CampaignDelivery",
    "CustomerSocial",
    "ProposalPack",
    "ProposalPackStory",
    "Recipient",
    "ReferencePreference",
    "ReferenceRequest",
    "RenderedDocument",
    "SalesSearchEntry",
    "ShareLink",
    "ShareLinkVisit",
    "SocialPost",
    "StorySearchEntry",
    "StoryUse",
    "Suppression",
    "document_upload_to",
    "pack_upload_to",
]
