"""Filling an outreach template's ``{placeholders}`` from the customer, the
contact and the story's metrics. Nothing half-filled ever leaves: a
placeholder without data (or one we do not know) is refused with a message
naming it and saying what to add.

A line may depend on a placeholder: ``{if result}Your {result} is…`` is kept
only when ``{result}`` can be filled, and an ``{else}…`` line right after it
only when it cannot. The default templates use it, so an invitation can go
out before any metric exists (numbers usually come from the interview)."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from casestudies.models import CaseStudy, Contact, Metric

PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
IF_LINE_RE = re.compile(r"^\{if ([A-Za-z_][A-Za-z0-9_]*)\}")
ELSE_LINE = "{else}"

PLACEHOLDERS = {
    "customer": gettext_lazy("the customer's name"),
    "contact_name": gettext_lazy("the contact's full name"),
    "contact_first_name": gettext_lazy("the contact's first name"),
    "contact_title": gettext_lazy("the contact's job title"),
    "industry": gettext_lazy("the customer's industry"),
    "result": gettext_lazy("their best measured result, e.g. “45 percent increase in efficiency”"),
    "website": gettext_lazy("the customer's website (the backlink)"),
    "sender_name": gettext_lazy("your name"),
}


class TemplateDataMissing(Exception):
    """Some placeholders cannot be filled; ``problems`` says which and why."""

    def __init__(self, problems: list[str], missing: list[str] | tuple = ()):
        super().__init__(" ".join(problems))
        self.problems = problems
        self.missing = list(missing)  # the known placeholders without data


@dataclass
class Rendered:
    subject: str
    body: str


def best_result(metrics: list[Metric]) -> Metric | None:
    """The metric with the largest improvement (the one to lead with)."""
    improving = [m for m in metrics if m.improvement_percent and m.improvement_percent > 0]
    return max(improving, key=lambda m: m.improvement_percent, default=None)


def placeholder_values(
    *, case_study: CaseStudy, contact: Contact, sender_name: str, language: str
) -> dict[str, str | None]:
    """Every placeholder's value, ``None`` where the data is missing."""
    customer = case_study.customer
    metric = best_result(list(case_study.metrics.all()))
    result = None
    if metric is not None:
        with override(language):
            result = _("%(change)s in %(label)s") % {
                "change": metric.improvement_display,
                "label": metric.label[:1].lower() + metric.label[1:],
            }
    first = contact.name.split()[0] if contact.name.split() else ""
    return {
        "customer": customer.name,
        "contact_name": contact.name or None,
        "contact_first_name": first or None,
        "contact_title": contact.title or None,
        "industry": customer.industry.name if customer.industry_id else None,
        "result": result,
        "website": customer.website or None,
        "sender_name": sender_name or None,
    }


MISSING_HELP = {
    "contact_title": gettext_lazy("add the contact's job title"),
    "result": gettext_lazy(
        "add a metric with its before and after to the story, or start the line with "
        "{if result} and give an {else} line that needs no metric"
    ),
    "website": gettext_lazy("add the customer's website"),
    "sender_name": gettext_lazy("add your first and last name to your account"),
}


def choose_lines(text: str, values: dict[str, str | None]) -> str:
    """Keep each ``{if name}`` line when ``name`` can be filled, else the
    ``{else}`` line that follows it (the markers are removed)."""
    kept: list[str] = []
    previous_if: bool | None = None  # None: the line before was no {if} line
    for line in text.split("\n"):
        stripped = line.lstrip()
        condition = IF_LINE_RE.match(stripped)
        if condition:
            name = condition.group(1)
            previous_if = values.get(name) is not None
            if previous_if:
                kept.append(stripped[condition.end() :])
            continue
        if stripped.startswith(ELSE_LINE) and previous_if is not None:
            if not previous_if:
                kept.append(stripped[len(ELSE_LINE) :])
            previous_if = None
            continue
        previous_if = None
        kept.append(line)
    return "\n".join(kept)


def render_text(text: str, values: dict[str, str | None]) -> tuple[str, list[str]]:
    problems: list[str] = []
    text = choose_lines(text, values)

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            problems.append(
                _("Unknown placeholder {%(name)s}: use one of %(known)s.")
                % {"name": name, "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)}
            )
            return match.group(0)
        value = values[name]
        if value is None:
            help_text = MISSING_HELP.get(name, _("fill it in first"))
            problems.append(
                _("{%(name)s} cannot be filled: %(help)s.") % {"name": name, "help": help_text}
            )
            return match.group(0)
        return value

    return PLACEHOLDER_RE.sub(fill, text), problems


def render(
    *,
    subject: str,
    body: str,
    case_study: CaseStudy,
    contact: Contact,
    sender_name: str,
    language: str,
) -> Rendered:
    """The email as it will be sent, or :class:`TemplateDataMissing`."""
    values = placeholder_values(
        case_study=case_study, contact=contact, sender_name=sender_name, language=language
    )
    subject_text, problems = render_text(subject, values)
    body_text, body_problems = render_text(body, values)
    problems += [p for p in body_problems if p not in problems]
    if problems:
        wanted = set(unfilled(choose_lines(subject, values))) | set(
            unfilled(choose_lines(body, values))
        )
        missing = [name for name in PLACEHOLDERS if name in wanted and values.get(name) is None]
        raise TemplateDataMissing(problems, missing)
    return Rendered(subject=subject_text.strip(), body=body_text.strip())


def unfilled(text: str) -> list[str]:
    """Placeholders still in ``text`` (an edited email must have none)."""
    return sorted({m.group(1) for m in PLACEHOLDER_RE.finditer(text)})


DEFAULT_DIR = Path(__file__).resolve().parent / "default_templates"
# The guide's "Frame It as an Opportunity" and "Set Clear Expectations", one
# file per language (recruitment/default_templates/outreach_<lang>.txt).
DEFAULT_TEMPLATES = {
    "en": {
        "name": "Invitation: your story",
        "subject": "Results worth telling: {customer}",
    },
    "id": {
        "name": "Undangan: kisah Anda",
        "subject": "Hasil {customer} layak diceritakan",
    },
}


def default_body(language: str) -> str:
    return (DEFAULT_DIR / f"outreach_{language}.txt").read_text(encoding="utf-8").strip()


DEFAULT_CONCERNS = [
    (
        "time",
        "Time commitment",
        "About 3 hours in total, spread over 4-6 weeks. We handle all the heavy lifting: "
        "writing, design, approvals. You only review and approve.",
        "Total waktu sekitar 3 jam tersebar 4-6 minggu. Kami menangani semua pekerjaan berat: "
        "penulisan, desain, approval. Anda hanya meninjau dan menyetujui.",
    ),
    (
        "approval-complexity",
        "Approval complexity",
        "We will work with your legal and PR teams on their review process. We are flexible "
        "on the timeline and happy to accommodate your approval requirements.",
        "Kami akan bekerja dengan tim legal dan PR Anda pada proses review mereka. Kami "
        "fleksibel soal timeline dan senang mengakomodasi kebutuhan approval Anda.",
    ),
    (
        "confidentiality",
        "Results confidentiality",
        "We can present results as percentage improvements rather than absolute figures if "
        "the numbers are sensitive. And you approve everything before publication.",
        "Kami bisa menyajikan hasil dalam persentase perbaikan, bukan angka absolut, jika "
        "angkanya sensitif. Dan Anda menyetujui semuanya sebelum publikasi.",
    ),
    (
        "company-policy",
        "Company policy restrictions",
        "Let's check with your marketing or PR team early. If we need executive approval, "
        "our executive is happy to reach out to facilitate it.",
        "Mari cek dengan tim marketing atau PR Anda lebih awal. Jika perlu approval "
        "eksekutif, eksekutif kami senang menghubungi untuk memfasilitasinya.",
    ),
]


def ensure_defaults(apps=None) -> None:
    """The English and Indonesian default templates and the concerns
    playbook (idempotent: existing rows are left as edited). ``apps``: the
    historical registry, when called from a data migration."""
    if apps is None:
        from recruitment.models import Concern, ConcernAnswer, OutreachTemplate
    else:
        Concern = apps.get_model("recruitment", "Concern")
        ConcernAnswer = apps.get_model("recruitment", "ConcernAnswer")
        OutreachTemplate = apps.get_model("recruitment", "OutreachTemplate")

    for language, data in DEFAULT_TEMPLATES.items():
        if not OutreachTemplate.objects.filter(language=language, is_default=True).exists():
            OutreachTemplate.objects.get_or_create(
                name=data["name"],
                language=language,
                defaults={
                    "subject": data["subject"],
                    "body": default_body(language),
                    "is_default": True,
                },
            )
    for position, (slug, name, answer_en, answer_id) in enumerate(DEFAULT_CONCERNS):
        concern, _created = Concern.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        ConcernAnswer.objects.get_or_create(
            concern=concern, language="en", defaults={"text": answer_en}
        )
        ConcernAnswer.objects.get_or_create(
            concern=concern, language="id", defaults={"text": answer_id}
        )
