"""The interview guide's question bank, in English and Bahasa Indonesia.

From the guide's "Develop Your Interview Guide" (timed sections and their
questions) and "Conducting Effective Interviews" (the follow-up probes that
turn vague answers into usable content). A bilingual bank rather than
gettext: the guide is generated in the *interview's* language, whatever
language the staff member's screen is in, and both texts are reviewed here
side by side.
"""

from dataclasses import dataclass

from interviews.models import GuideSection, StakeholderRole

G = GuideSection
R = StakeholderRole


@dataclass(frozen=True)
class Text:
    en: str
    id: str

    def get(self, language: str) -> str:
        return self.id if language == "id" else self.en


# (section, minutes) in interview order: 15 + 10 + 10 + 20 + 10 = 65.
SECTION_MINUTES: list[tuple[str, int]] = [
    (G.CHALLENGE, 15),
    (G.SOLUTION_SELECTION, 10),
    (G.IMPLEMENTATION, 10),
    (G.RESULTS, 20),
    (G.FUTURE_PLANS, 10),
]
TOTAL_MINUTES = sum(minutes for _section, minutes in SECTION_MINUTES)

SECTION_TITLES: dict[str, Text] = {
    G.CHALLENGE: Text("Challenge / problem", "Tantangan / masalah"),
    G.SOLUTION_SELECTION: Text("Solution selection", "Pemilihan solusi"),
    G.IMPLEMENTATION: Text("Implementation", "Implementasi"),
    G.RESULTS: Text("Results", "Hasil"),
    G.FUTURE_PLANS: Text("Future plans", "Rencana ke depan"),
}

# "Ask follow-up questions" and "Probe for specificity".
PROBES: dict[str, Text] = {
    "example": Text("Can you give a specific example?", "Bisakah Anda berikan contoh spesifik?"),
    "practice": Text("What did that look like in practice?", "Seperti apa itu dalam praktik?"),
    "team": Text("How did that affect your team?", "Bagaimana itu berdampak pada tim Anda?"),
    "numbers": Text(
        "What numbers show that improvement?", "Angka apa yang menunjukkan peningkatan itu?"
    ),
    "before_after": Text(
        "What was the figure before, and what is it now?",
        "Berapa angkanya sebelumnya, dan berapa sekarang?",
    ),
    "cost": Text(
        "What did the problem cost you in time or money?",
        "Berapa biaya masalah itu bagi Anda, dalam waktu atau uang?",
    ),
}

# Questions every stakeholder is asked, per section, each with its probes.
CORE: dict[str, list[tuple[Text, list[str]]]] = {
    G.CHALLENGE: [
        (
            Text(
                "What business challenge were you facing?",
                "Tantangan bisnis apa yang Anda hadapi?",
            ),
            ["example", "practice"],
        ),
        (
            Text("What was the impact of this problem?", "Apa dampak dari masalah ini?"),
            ["cost", "team"],
        ),
        (
            Text(
                "What pushed you to look for a solution?",
                "Apa yang mendorong Anda mencari solusi?",
            ),
            ["example"],
        ),
        (
            Text(
                "What did your “before” state look like?",
                "Seperti apa kondisi “sebelum” Anda?",
            ),
            ["numbers", "practice"],
        ),
    ],
    G.SOLUTION_SELECTION: [
        (
            Text("Which solutions did you evaluate?", "Solusi apa saja yang Anda evaluasi?"),
            ["example"],
        ),
        (
            Text(
                "Why did you choose us over the alternatives?",
                "Mengapa Anda memilih kami dibanding alternatif lain?",
            ),
            ["example"],
        ),
        (
            Text(
                "Which capabilities mattered most?",
                "Kapabilitas apa yang paling penting bagi Anda?",
            ),
            ["practice"],
        ),
        (
            Text(
                "What gave you confidence in the decision?",
                "Apa yang membuat Anda yakin dengan keputusan itu?",
            ),
            ["example"],
        ),
    ],
    G.IMPLEMENTATION: [
        (
            Text("How did the deployment go?", "Bagaimana jalannya deployment?"),
            ["practice", "team"],
        ),
        (
            Text(
                "What surprised you, positively or negatively?",
                "Apa yang mengejutkan Anda, positif atau negatif?",
            ),
            ["example"],
        ),
        (
            Text("How did our team support you?", "Bagaimana tim kami mendukung Anda?"),
            ["example"],
        ),
        (
            Text(
                "What advice would you give others implementing it?",
                "Saran apa yang akan Anda berikan kepada orang lain yang akan "
                "mengimplementasikannya?",
            ),
            [],
        ),
    ],
    G.RESULTS: [
        (
            Text(
                "What specific outcomes have you achieved?",
                "Hasil spesifik apa yang telah Anda capai?",
            ),
            ["numbers", "before_after"],
        ),
        (
            Text(
                "Which metrics demonstrate the success?",
                "Metrik apa yang menunjukkan keberhasilan itu?",
            ),
            ["before_after", "numbers"],
        ),
        (
            Text(
                "What surprised you about the results?",
                "Apa yang mengejutkan Anda tentang hasilnya?",
            ),
            ["example"],
        ),
        (
            Text(
                "How has this transformed your operations?",
                "Bagaimana ini mengubah operasional Anda?",
            ),
            ["practice", "team"],
        ),
    ],
    G.FUTURE_PLANS: [
        (
            Text("How will you expand your usage?", "Bagaimana Anda akan memperluas penggunaan?"),
            ["example"],
        ),
        (
            Text(
                "What additional value do you expect?",
                "Nilai tambahan apa yang Anda harapkan?",
            ),
            ["numbers"],
        ),
        (
            Text(
                "Would you recommend us? Why?",
                "Apakah Anda akan merekomendasikan kami? Mengapa?",
            ),
            ["example"],
        ),
    ],
}

# Tailored by role ("Identify the Right Stakeholders"): the executive sponsor's
# strategy and ROI, the department leader's operational and team results, the
# end user's day-to-day work, the technical leader's integration.
BY_ROLE: dict[str, list[tuple[str, Text, list[str]]]] = {
    R.EXECUTIVE_SPONSOR: [
        (
            G.CHALLENGE,
            Text(
                "How did this challenge affect your strategy and growth plans?",
                "Bagaimana tantangan ini memengaruhi strategi dan rencana pertumbuhan Anda?",
            ),
            ["cost"],
        ),
        (
            G.RESULTS,
            Text(
                "What return on investment have you seen, and how fast did it pay back?",
                "Berapa return on investment yang Anda lihat, dan seberapa cepat "
                "investasinya kembali?",
            ),
            ["numbers", "before_after"],
        ),
    ],
    R.DEPARTMENT_LEADER: [
        (
            G.RESULTS,
            Text(
                "How did your team's work and workload change?",
                "Bagaimana pekerjaan dan beban kerja tim Anda berubah?",
            ),
            ["numbers", "team"],
        ),
    ],
    R.END_USER: [
        (
            G.CHALLENGE,
            Text(
                "Walk me through a typical day before the change.",
                "Ceritakan hari kerja biasa Anda sebelum perubahan ini.",
            ),
            ["example", "cost"],
        ),
        (
            G.RESULTS,
            Text(
                "What is different in your daily work now?",
                "Apa yang berbeda dalam pekerjaan harian Anda sekarang?",
            ),
            ["example", "numbers"],
        ),
    ],
    R.TECHNICAL_LEADER: [
        (
            G.SOLUTION_SELECTION,
            Text(
                "Which technical requirements did the solution have to meet?",
                "Persyaratan teknis apa yang harus dipenuhi solusi ini?",
            ),
            ["example"],
        ),
        (
            G.IMPLEMENTATION,
            Text(
                "How did the integration with your existing systems work?",
                "Bagaimana integrasi dengan sistem Anda yang sudah ada berjalan?",
            ),
            ["practice", "example"],
        ),
    ],
}


@dataclass
class GeneratedQuestion:
    section: str
    question: str
    probes: list[str]
    minutes: int
    for_role: str


def _split_minutes(total: int, count: int) -> list[int]:
    """``total`` minutes over ``count`` questions, the first ones a minute longer."""
    if count == 0:
        return []
    base, extra = divmod(total, count)
    return [base + (1 if index < extra else 0) for index in range(count)]


def generate(roles: list[str], language: str) -> list[GeneratedQuestion]:
    """The guide for stakeholders with ``roles``: the core questions of each
    timed section plus the questions for the roles present. Each section's
    minutes are shared out over its questions, so the guide totals 65."""
    present = [role for role in R.values if role in set(roles)]
    questions: list[GeneratedQuestion] = []
    for section, minutes in SECTION_MINUTES:
        rows: list[tuple[Text, list[str], str]] = [
            (text, probes, "") for text, probes in CORE[section]
        ]
        for role in present:
            rows += [(text, probes, role) for sec, text, probes in BY_ROLE[role] if sec == section]
        for (text, probes, role), share in zip(
            rows, _split_minutes(minutes, len(rows)), strict=True
        ):
            questions.append(
                GeneratedQuestion(
                    section=section,
                    question=text.get(language),
                    probes=[PROBES[key].get(language) for key in probes],
                    minutes=share,
                    for_role=role,
                )
            )
    return questions
