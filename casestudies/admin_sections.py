"""The admin home organised by the lifecycle (``STORYLINE_ADMIN_SECTIONS``):
selection, recruitment, interviews, drafting, approval, publication,
distribution, impact, settings, and the technical records under "System"
for superusers only. Each list page a manager uses says in one line what it
is for."""

from django.utils.translation import gettext_lazy as _

# (key, section, models, superusers only)
SECTIONS = [
    (
        "selection",
        _("1. Selection: which customers"),
        [
            "casestudies.nomination",
            "casestudies.customer",
            "casestudies.contact",
            "casestudies.portfoliotarget",
            "casestudies.candidatescore",
            "casestudies.relationshipsignal",
            "casestudies.customerask",
        ],
        False,
    ),
    (
        "recruitment",
        _("2. Recruitment: asking them"),
        [
            "recruitment.outreach",
            "recruitment.outreachtemplate",
            "recruitment.concern",
            "approvals.approvalchaincontact",
        ],
        False,
    ),
    (
        "interviews",
        _("3. Interviews"),
        ["interviews.interview", "interviews.followupquestion"],
        False,
    ),
    (
        "drafting",
        _("4. Drafting: the stories"),
        [
            "casestudies.casestudy",
            "casestudies.storyversion",
            "casestudies.metric",
            "casestudies.quote",
        ],
        False,
    ),
    ("approval", _("5. Approval"), ["approvals.approvalrequest"], False),
    (
        "publication",
        _("6. Publication"),
        ["distribution.rendereddocument", "distribution.branding"],
        False,
    ),
    (
        "distribution",
        _("7. Distribution"),
        [
            "distribution.proposalpack",
            "distribution.referencerequest",
            "distribution.referencepreference",
            "distribution.campaign",
            "distribution.recipient",
            "distribution.suppression",
            "distribution.sharelink",
            "distribution.socialpost",
            "distribution.customersocial",
            "distribution.storyuse",
        ],
        False,
    ),
    (
        "impact",
        _("8. Impact"),
        [
            "analytics.deal",
            "analytics.lead",
            "analytics.customervalue",
            "analytics.downloadgate",
            "analytics.backlink",
            "analytics.reportdispatch",
        ],
        False,
    ),
    (
        "settings",
        _("Settings"),
        [
            "casestudies.industry",
            "casestudies.usecase",
            "casestudies.department",
            "casestudies.region",
            "casestudies.product",
            "casestudies.objection",
            "casestudies.competitor",
            "auth.user",
            "auth.group",
        ],
        False,
    ),
    # Everything not named above lands here: audit log, ledgers, outbox,
    # rendered files' deliveries, API tokens, login attempts, devices.
    ("system", _("System"), [], True),
]

DESCRIPTIONS = {
    "casestudies.nomination": _(
        "Customers colleagues propose for a story: accept or decline each."
    ),
    "casestudies.customer": _("Every customer, its contacts and the signals that say when to ask."),
    "casestudies.contact": _("The people at customers: who may be contacted, named or quoted."),
    "casestudies.portfoliotarget": _(
        "How many stories the program wants per industry, size, region."
    ),
    "casestudies.candidatescore": _(
        "Candidate stories ranked by results, arc and the gaps they fill."
    ),
    "casestudies.relationshipsignal": _("Moments that make asking natural (enthusiasm, advocacy)."),
    "casestudies.customerask": _("Everything we asked of each customer, so nobody is over-used."),
    "recruitment.outreach": _("Invitations sent to customers and their answers."),
    "recruitment.outreachtemplate": _("The invitation emails, per language."),
    "recruitment.concern": _("Answers to the usual worries of a customer who hesitates."),
    "approvals.approvalchaincontact": _("Who at each customer must approve a story, in order."),
    "interviews.interview": _("Interviews: invitations, guide, consent, recording, transcript."),
    "interviews.followupquestion": _("Questions sent after an interview, and their answers."),
    "casestudies.casestudy": _("Every story; open one for its workspace and its next step."),
    "casestudies.storyversion": _("Saved versions of the stories; each is immutable."),
    "casestudies.metric": _("The measured results the stories quote."),
    "casestudies.quote": _("Quotes taken from interviews and their permission."),
    "approvals.approvalrequest": _("Customer approval of a version: its reviewers and decisions."),
    "distribution.rendereddocument": _("PDFs, one-pagers and slides made from published stories."),
    "distribution.branding": _("Logo and colours of the documents."),
    "distribution.proposalpack": _("Packs of stories the sales team sends to prospects."),
    "distribution.referencerequest": _("Prospects asking to talk to a customer."),
    "distribution.referencepreference": _(
        "How often each customer is happy to take reference calls."
    ),
    "distribution.campaign": _("Emails announcing stories to mailing lists."),
    "distribution.recipient": _("The people on the mailing lists."),
    "distribution.suppression": _("Addresses that must never be emailed again."),
    "distribution.sharelink": _("Tracked links to a story sent to one prospect."),
    "distribution.socialpost": _("Posts announcing a story on social networks."),
    "distribution.customersocial": _("The customers' own social accounts, to tag them."),
    "distribution.storyuse": _("Where a story was used: events, webinars, meetings."),
    "analytics.deal": _("Deals the stories helped, from the CRM."),
    "analytics.lead": _("Prospects who downloaded a story."),
    "analytics.customervalue": _("What each customer's story is worth to the program."),
    "analytics.downloadgate": _("Which downloads ask for an email first."),
    "analytics.backlink": _("Other sites linking to the stories."),
    "analytics.reportdispatch": _("Impact reports emailed to program managers."),
}


def sections() -> list:
    return SECTIONS


def description(model_key: str) -> str:
    return str(DESCRIPTIONS.get(model_key, ""))
