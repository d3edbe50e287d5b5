"""Questions people ask and the facts each answer must hold, and must not hold.

Shared by tests/test_question_facts.py (which prints the hit rate) and can be read as a list of
what the bot knows. Facts are fragments of the answer text, compared case-insensitively; the
special fact NO_FIGURE means the answer holds no dollar figure at all (a question about nurses,
about custodians, about where to study). Job rows are built from the knowledge itself, with
plurals and typos, so that every title of both documents is asked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.loader import get_knowledge
from knowledge.model import Job, Knowledge

NO_FIGURE = "<no dollar figure>"


@dataclass(frozen=True, slots=True)
class Fact:
    """One question, the fragments its answer must hold and those it must not hold."""

    text: str
    holds: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()


def F(text: str, *holds: str, lacks: tuple[str, ...] = ()) -> Fact:
    return Fact(text, holds, lacks)


M2, M3, M4, M5 = (
    "$15–24 an hour",
    "$49,000–55,000 a year",
    "$48,000–90,000 a year",
    "$62,000–130,000",
)
I2, I3, I4, I5 = "$15–17 an hour", "$18–23 an hour", "$57,000–68,000 a year", "$98,000–132,000"
ALL_PAY = (M2, M3, M4, M5, I2, I3, I4, I5)

# ---- typed forms of every title ----------------------------------------------------------------

_SPOKEN = {
    "working with computer repair (either self-taught or as an assistant)": "computer repair",
    "assistant to a computer set-up technician": "computer set-up assistant",
    "office helper with Microsoft experience": "office helper",
    "Help Desk and User Support": "help desk",
    "Computer Network Architects": "computer network architect",
    "Computer Network Support Specialists": "network support specialist",
    "Database Administrators": "database administrator",
    "Telecommunications Engineering Specialists": "telecommunications engineering specialist",
    "Information Security Analysts": "information security analyst",
}
_SKIP = {"self-employment"}
"""Listed on two Manufacturing steps with different pay; asked about in the hand rows below."""


def _spoken(job: Job) -> str:
    return _SPOKEN.get(job.title, job.title).lower()


def _plural(name: str) -> str:
    if name.endswith(("s", "support", "repair", "assurance", "security")):
        return name
    if name.endswith("y"):
        return name[:-1] + "ies"
    return name + "s"


def _typo(name: str) -> str:
    """Swap two letters in the middle of the longest word: 'welder' -> 'wedler'."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    w = words[longest]
    if len(w) < 6:
        return name
    i = len(w) // 2
    words[longest] = w[: i - 1] + w[i] + w[i - 1] + w[i + 1 :]
    return " ".join(words)


def _pay_text(kb: Knowledge, job: Job) -> str:
    pay = kb.pathway(job.pathway_id).step(job.step).pay
    assert pay is not None
    return pay.text()


def _job_rows(kb: Knowledge) -> list[Fact]:
    rows: list[Fact] = []
    for job in kb.jobs:
        if job.title in _SKIP:
            continue
        name, pay = _spoken(job), _pay_text(kb, job)
        mine = [_pay_text(kb, j) for j in kb.jobs if j.title == job.title]
        others = tuple(p for p in ALL_PAY if not any(m.startswith(p) for m in mine))
        far = (others[0] if pay != others[0] else others[1],)
        rows += [
            Fact(f"how much does a {name} make", (pay,), far),
            Fact(f"what do {_plural(name)} earn?", (pay,), far),
            Fact(f"{_typo(name)} salary", (pay,), far),
            Fact(f"what do i need to be a {name}", (f"step {job.step}",)),
        ]
    return rows


# ---- hand rows ---------------------------------------------------------------------------------

HAND: tuple[Fact, ...] = (
    # pay above / below / between / at least / at most, units and words
    F("what pays more than $20 an hour?", M3, M4, I4, lacks=(I2,)),
    F("wat pays mor then 20 dolars an hr", M3, I4, lacks=(I2,)),
    F("jobs over 50k", M5, I4, lacks=(I2,)),
    F("more than 15 an hour but less than 20", I2, "between $15 and $20", lacks=(M5, I5)),
    F("between 15 and 20 an hour", I2, lacks=(M5, I5)),
    F("jobs that pay from $40k to $60k", M3, lacks=(I5,)),
    F("at least $23 an hour", I3, M3, lacks=(I2,)),
    F("at least 23 dollars an hour", I3, lacks=(I2,)),
    F("at most $17 an hour", I2, lacks=(M5, I5)),
    F("no more than 17 bucks an hour", I2, lacks=(M5, I5)),
    F("less than $16 an hour", I2, M2, lacks=(M5,)),
    F("under 40k a year", M2, I2, lacks=(I5, M5)),
    F("$2,000 a month", "$2,000 a month", "$24,000 a year"),
    F("jobs that pay $4,000 a month", "$48,000 a year", M4),
    F("more than $800 a week", "$20 an hour", "40 hours", M3),
    F("more than $160 a day", "$20 an hour", "8-hour day", M3),
    F("i want to make 20 bucks an hour", M2, I3),
    F("twenty dollars an hour jobs", M2, I3),
    F("twenty-five dollars an hour", M3),
    F("what pays fifty thousand a year", M3),
    F("jobs paying 100k", I5),
    F("jobs over 100k", I5, M5, lacks=(I2,)),
    F("what pays over 60 grand", M5, I4),
    F("how much is $20 an hour per year", "$41,600 a year"),
    F("how much is 50000 a year per hour", "$24.04 an hour"),
    F("what pays the most", I5),
    F("highest paying job", I5),
    F("lowest paying job", M2),
    F("what do it jobs pay", I2, I3, I4, lacks=(M3,)),
    F("how much can i make in manufacturing", M2, M3, M4, lacks=(I3,)),
    F("how much do factory jobs pay", M2, M3, lacks=(I3,)),
    F("how much does self-employment pay", M3, M4),
    F("what does a self employed welder make", M3),
    # outside the documents
    F("how much do nurses make", "do not cover", lacks=(NO_FIGURE,)),
    F("how much does a nurse earn", "do not cover", lacks=(NO_FIGURE,)),
    F("what does a software engineer make", "do not cover", lacks=(NO_FIGURE,)),
    F("how much do truck drivers make", "do not cover", lacks=(NO_FIGURE,)),
    F("what do teachers earn", "do not cover", lacks=(NO_FIGURE,)),
    F("how much does a doctor make", "do not cover", lacks=(NO_FIGURE,)),
    F("what do electricians make", "do not cover", lacks=(NO_FIGURE,)),
    F("how much do plumbers earn", "do not cover", lacks=(NO_FIGURE,)),
    F("what does a chef make", "do not cover", lacks=(NO_FIGURE,)),
    F("what do i need to be a nurse", "do not cover", lacks=(NO_FIGURE,)),
    F("where is the nearest job center", "do not list", lacks=(NO_FIGURE,)),
    F("where is the closest workforce office", "do not list", lacks=(NO_FIGURE,)),
    F("what is the address of adult education", "do not list", lacks=(NO_FIGURE,)),
    # unskilled jobs
    F("how much does a custodian make", "unskilled", "no pay figure", lacks=(NO_FIGURE,)),
    F("what do custodians earn", "unskilled", lacks=(NO_FIGURE,)),
    F("fast food worker pay", "unskilled", lacks=(NO_FIGURE,)),
    F("how much do housekeepers make", "unskilled", lacks=(NO_FIGURE,)),
    F("furniture mover salary", "unskilled", lacks=(NO_FIGURE,)),
    F("what does a retail worker make", "unskilled", lacks=(NO_FIGURE,)),
    F("what are the unskilled jobs", "custodians", "fast food workers", "furniture movers"),
    F("what can i do right now", "custodians", "housekeepers"),
    F("i need a job now, what can i do?", "custodians", "retail workers"),
    F("jobs with no experience", "custodians"),
    F("jobs without a diploma", "custodians", "patience"),
    # work readiness, process, start, steps
    F("what are the work readiness skills", "patience", "positive attitude", "follow directions"),
    F("what work-readiness skills do i need", "patience", "learn on the job"),
    F("what soft skills do i need", "patience"),
    F("what are the phases", "Intake & Assessment", "Pathway Engagement"),
    F("how does this work", "Recommendations", "Plan Development"),
    F("what is the process", "Pathway Selection", "Employment Goals"),
    F("what is phase 4", "Employment Goals"),
    F("what is phase 2", "Recommendations", "short list"),
    F("what is the last phase", "Pathway Engagement", "check-ins"),
    F("what is phase one", "Intake & Assessment"),
    F("where do i start", "Workforce Solutions", "Maine JobLink"),
    F("how do i get started", "Workforce Solutions"),
    F("where should i begin", "Workforce Solutions"),
    F("what is the first step", "Workforce Solutions"),
    F("what is the last step", "step 5", "Upper-Level"),
    F("what is the final step in IT", "step 5", I5, lacks=(M5,)),
    F("what is step 1", "Workforce Solutions"),
    F("what is step 2", "Semi-Skilled", M2, I2),
    F("what is step 3", "Entry-level", M3, I3),
    F("what is step 4", "Mid-Level", M4, I4),
    F("what is step 5", "Upper-Level", M5, I5),
    F("what is step three in manufacturing", "welder", M3, lacks=(I3,)),
    F("step 4 in it", I4, lacks=(M4,)),
    F("what is step 7", "no step 7"),
    F("what is the second step", "Semi-Skilled"),
    F("what do i need for step 2", "High school completion"),
    # how long
    F("how long does the certificate take", "one year or less"),
    F("how long to become a welder", "one year or less"),
    F("how long does an associate degree take", "two-year associate degree"),
    F("how long is the bachelor's degree", "four-year degree or beyond"),
    F("how long does step 3 take", "one year or less"),
    F("how long does step 4 take", "two-year associate degree"),
    F("how long does step 5 take", "four-year degree or beyond"),
    F("how long does it take to become a cnc operator", "two-year associate degree"),
    F("how long to become a manufacturing engineer", "four-year degree or beyond"),
    F("how long does it take to get into help desk", "one year or less"),
    F("how many years to be a database administrator", "four-year degree or beyond"),
    F("how long does it take to be an it support specialist", "two-year associate degree"),
    F("how long does the comptia course take", "one year or less"),
    F("how long is the whole pathway", "one year or less", "four-year degree"),
    F("how long does step 2 take", "no time"),
    F("how long to become a pipefitter", "one year or less"),
    F("how long for a 2 year degree", "two-year associate degree"),
    # where to study
    F("which schools teach CNC", "Southern Maine Community College", "CNC Academy"),
    F("where can i take comptia classes", "Central Maine Community College", "CompTIA"),
    F("where can i study help desk", "York County Community College", "Help Desk"),
    F("who teaches precision machining", "Central Maine Community College", "Precision Machining"),
    F("where can i get an IT degree", "University of Southern Maine"),
    F("which colleges offer IT bachelor degrees", "University of Maine Augusta"),
    F("where can i learn coding", "Eastern Maine Community College", "Coding"),
    F("where to study computer repair", "Eastern Maine Community College"),
    F("which schools offer mechanical engineering", "Southern Maine Community College"),
    F("where can i study advanced manufacturing", "Northeastern University"),
    F("where can i train to be a welder", "Washington County Community College"),
    F("where can i study to be a cnc operator", "CNC"),
    F("which colleges are there for manufacturing", "Community College", lacks=(NO_FIGURE,)),
    F("what schools are in the it pathway", "Community College", lacks=(NO_FIGURE,)),
    F("where can i get the micro-credential", "Computer Support Specialist Micro-Credential"),
    F("where can i take a production technician course", "Washington County Community College"),
    F("what classes for cybersecurity", "CompTIA Security"),
    F("which schools teach comptia security", "Central Maine Community College"),
    F("where can i study computer information systems", "University of Maine Augusta"),
    # what is ...
    F("what is NorthStar", "digital literacy"),
    F("what is northstar digital literacy?", "digital literacy"),
    F("what is Maine JobLink", "create an account"),
    F("joblink? what is that", "create an account"),
    F("what is O*NET", "career interests"),
    F("what's onet online", "career interests"),
    F("what is the world of work inventory", "vocational assessment"),
    F("what is destination occupation", "career in manufacturing"),
    F(
        "what is the maine adult education college and career access program",
        "two- and four-year colleges",
    ),
    F("what is college and career access", "two- and four-year colleges"),
    F("what is workforce solutions", "Intake"),
    F("what is adult education", "Intake"),
    F("what is the manufacturers association of maine", "step 3"),
    F("what is a micro-credential", "micro-credentials"),
    F("what is wioa", "July 22, 2014"),
    F("what is a career pathway", "clear sequence"),
    F("tell me about northstar", "digital literacy"),
    # requirements by topic
    F("do i need to be 18 to work in a factory", "18 years of age", lacks=(NO_FIGURE,)),
    F("how old do i have to be", "18 years of age"),
    F("what is the minimum age", "18 years of age"),
    F("how much do i need to lift", "40 pounds"),
    F("do i have to lift heavy things", "40 pounds"),
    F("how many pounds do welders lift", "40 pounds"),
    F("what math do i need for manufacturing", "decimals", "trigonometry"),
    F("do i need math", "fractions"),
    F("do i need algebra", "algebra"),
    F("do i need english for it jobs", "English language proficiency"),
    F("do i need to speak english", "English"),
    F("do i need to be healthy", "physical health"),
    F("what experience do i need for step 4", "on-the-job experience"),
    F("do i need experience to be a cnc operator", "on-the-job experience"),
    F("what experience is preferred for step 3", "blueprint reading"),
    F("what do i need to be a welder", "industry-recognized credentials", "40 pounds"),
    F("what do i need to be a cnc operator", "Associate degree", "mechanical aptitude"),
    F("requirements for help desk", "Relevant credentials"),
    F("what are the requirements for it support specialist", "Associate Degree"),
    F("what do i need to become a manufacturing engineer", "Bachelor's degree"),
    F("what do i need for a job as an assembler", "High school completion"),
    F("which jobs need an associate degree", "CNC operator", "IT Consultant"),
    F("which jobs need a bachelor's degree", "Analyst", "Database Administrators"),
    F("what jobs need a certificate", "welder", "Help Desk"),
    F("what jobs can i get with a ged", "assembler", "office helper"),
    F("what can i do without a degree", "custodians"),
    F("what skills help for semi-skilled it jobs", "customer service experience"),
    F("how much money do cnc operators make a month", M4, "$4,000–7,500 a month", "divided by 12"),
    F("what does a welder make per week", M3, "a week", "40 hours"),
    F("how much does a help desk job pay a day", I3, "$144–184 a day", "8-hour day"),
    F("is there an age limit", "18 years of age"),
    F("how long is step one", "no time"),
    F("where do i sign up", "Workforce Solutions", lacks=(NO_FIGURE,)),
    F("how much is 18 an hour a year", "$37,440 a year", lacks=("years of age",)),
)


def facts(kb: Knowledge | None = None) -> tuple[Fact, ...]:
    """Every row: generated job rows, then the hand rows."""
    return (*_job_rows(kb or get_knowledge()), *HAND)


_FIGURE = re.compile(r"\$\s?\d")


def check(fact: Fact, answer_text: str | None) -> list[str]:
    """What is wrong with an answer to the fact's question (empty when right)."""
    if answer_text is None:
        return ["no answer"]
    low = answer_text.lower()
    wrong = [f"missing {h!r}" for h in fact.holds if h.lower() not in low]
    for lack in fact.lacks:
        if lack == NO_FIGURE:
            if _FIGURE.search(answer_text):
                wrong.append("holds a dollar figure")
        elif lack.lower() in low:
            wrong.append(f"should not hold {lack!r}")
    return wrong
