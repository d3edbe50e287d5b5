"""Phrasings of free questions and what their answers must (and must not) name.

Shared by tests/test_questions.py and bench/queries.py. Job titles are compared case-insensitively
against `Answer.jobs`; `says` fragments against the answer text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Case:
    """One phrasing: the jobs its answer must and must not name, and words it must say."""

    text: str
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    question: bool = True
    """False when the text is an answer to the bot, not a question (answer_question -> None)."""


# Steps, for reading the table:
#   Manufacturing 2 $15–24/h: general laborer, assembler ...   3 $49–55k: welder, pipefitter ...
#   Manufacturing 4 $48–90k: CNC operator ...                  5 $62–130k: Analyst ...
#   IT 2 $15–17/h: office helper ...   3 $18–23/h: Help Desk ...   4 $57–68k: IT Consultant ...
#   IT 5 $98–132k: Database Administrators ...
ABOVE_20_HOUR = Case(
    "what pays more than $20 an hour?",
    has=(
        "welder",
        "CNC operator",
        "IT Consultant",
        "Help Desk and User Support",
        "general laborer",
    ),
    lacks=("office helper with Microsoft experience", "assistant to a computer set-up technician"),
    says=("$49,000–55,000 a year (about $23.56–26.44 an hour)", "start lower", "$15–24 an hour"),
)

CASES: tuple[Case, ...] = (
    # ---- more than ----
    ABOVE_20_HOUR,
    Case("wat pays mor then 20 dolars an hr", ABOVE_20_HOUR.has, ABOVE_20_HOUR.lacks),
    Case("What pays more than twenty dollars an hour", ABOVE_20_HOUR.has, ABOVE_20_HOUR.lacks),
    Case("anything over $20/hr?", ABOVE_20_HOUR.has, ABOVE_20_HOUR.lacks),
    Case("which jobs pay more than 20 bucks an hour", ABOVE_20_HOUR.has, ABOVE_20_HOUR.lacks),
    Case(
        "jobs over 50k",
        has=("Analyst", "IT Consultant", "welder", "CNC operator"),
        lacks=(
            "Help Desk and User Support",
            "general laborer",
            "office helper with Microsoft experience",
        ),
        says=("I took “50k” to mean $50,000 a year",),
    ),
    Case(
        "anything above 25 bucks/hr",
        has=("IT Consultant", "Analyst", "welder", "CNC operator"),
        lacks=("general laborer", "Technical Support"),
        says=("$25 an hour",),
    ),
    Case(
        "anythng abuve 25 buks/hr",
        has=("IT Consultant", "welder"),
        lacks=("general laborer", "Technical Support"),
    ),
    Case(
        "what pays more than 60,000 a year",
        has=("Database Administrators", "Analyst", "CNC operator", "IT Consultant"),
        lacks=("welder", "Help Desk and User Support", "general laborer"),
        says=("$60,000 a year",),
    ),
    Case(
        "more than $18",
        has=("welder", "Help Desk and User Support", "general laborer"),
        lacks=("office helper with Microsoft experience",),
        says=("I took “$18” to mean $18 an hour",),
    ),
    Case(
        "what pays more than $24 an hour",
        has=("welder", "CNC operator"),
        lacks=("general laborer", "Technical Support"),
    ),
    Case(
        "jobs paying at least $25 an hour",
        has=("IT Consultant", "welder"),
        lacks=("general laborer",),
    ),
    Case(
        "what pays more than 45 an hour",
        has=("Database Administrators", "Analyst"),
        lacks=("CNC operator", "IT Consultant", "welder"),
    ),
    Case(
        "what pays 60000 a year or more",
        has=("Database Administrators", "IT Consultant"),
        lacks=("welder", "general laborer"),
    ),
    Case(
        "jobs over 800 a week",
        ABOVE_20_HOUR.has,
        ABOVE_20_HOUR.lacks,
        says=("$800 a week", "$20 an hour"),
    ),
    Case(
        "what pays over 4000 a month",
        has=("welder", "IT Consultant", "general laborer"),
        lacks=("Hardware Repair", "office helper with Microsoft experience"),
        says=("$48,000 a year",),
    ),
    Case(
        "it jobs over $20 an hour",
        has=("IT Consultant", "Help Desk and User Support"),
        lacks=("welder", "general laborer"),
    ),
    Case(
        "What pays more than $20 an hour in IT?",
        has=("IT Consultant",),
        lacks=("welder", "CNC operator"),
    ),
    Case(
        "what pays the most",
        has=("Database Administrators", "Analyst"),
        lacks=("welder", "general laborer"),
    ),
    # ---- less than, between, around ----
    Case(
        "which jobs pay less than $20 an hour",
        has=("office helper with Microsoft experience", "general laborer", "Hardware Repair"),
        lacks=("welder", "IT Consultant", "Analyst"),
    ),
    Case(
        "jobs under 40k",
        has=("office helper with Microsoft experience", "general laborer", "Hardware Repair"),
        lacks=("welder", "IT Consultant"),
    ),
    Case(
        "manufacturing jobs paying less than 30 an hour",
        has=("general laborer", "welder", "CNC operator"),
        lacks=("Help Desk and User Support", "office helper with Microsoft experience"),
    ),
    Case(
        "jobs between 15 and 20 an hour",
        has=("office helper with Microsoft experience", "general laborer", "Hardware Repair"),
        lacks=("welder", "IT Consultant"),
        says=("between $15 and $20 an hour",),
    ),
    Case(
        "what pays between 50k and 70k",
        has=("IT Consultant", "welder", "CNC operator"),
        lacks=("Database Administrators", "general laborer"),
    ),
    Case(
        "what pays $20 an hour",
        has=("general laborer", "Technical Support"),
        lacks=("welder", "office helper with Microsoft experience"),
    ),
    # ---- pay of one job ----
    Case(
        "how much does a welder make",
        has=("welder",),
        lacks=("assembler", "CNC operator"),
        says=("$49,000–55,000 a year (about $23.56–26.44 an hour)", "Manufacturing step 3"),
    ),
    Case("how much do welders make?", has=("welder",), lacks=("assembler",)),
    Case("welder salary?", has=("welder",), lacks=("assembler",)),
    Case(
        "how much do cnc operaters make",
        has=("CNC operator",),
        lacks=("CAD operator",),
        says=("$48,000–90,000 a year",),
    ),
    Case(
        "how much does help desk pay",
        has=("Help Desk and User Support",),
        lacks=("Technical Support",),
        says=("$18–23 an hour (about $37,440–47,840 a year)",),
    ),
    Case(
        "how much does an assembler earn",
        has=("assembler",),
        lacks=("welder",),
        says=("$15–24 an hour", "$49,000–55,000 a year"),
    ),
    Case("whats the salary for a pipefitter", has=("pipefitter",), lacks=("welder",)),
    Case("what does a pipe fitter make per year", has=("pipefitter",), lacks=("welder",)),
    Case("salary for sheet metal workers", has=("sheet metal worker",), lacks=("welder",)),
    Case(
        "how much does a computer technician make",
        has=("Computer Technician",),
        lacks=("engineering technician",),
    ),
    Case("how much do database admins make", has=("Database Administrators",), lacks=("Analyst",)),
    Case(
        "how much do security analysts earn",
        has=("Information Security Analysts",),
        lacks=("Analyst",),
    ),
    Case(
        "do welders make more than $20 an hour?",
        has=("welder",),
        lacks=("CNC operator",),
        says=("Yes",),
    ),
    Case(
        "how much does a nurse make",
        lacks=("welder",),
        says=("do not cover", "nurse"),
    ),
    # ---- requirements ----
    Case(
        "what do I need to be a CNC operator",
        has=("CNC operator",),
        lacks=("welder",),
        says=(
            "Associate degree in chosen area of manufacturing",
            "CNC Machine Operator Certificate",
        ),
    ),
    Case(
        "wat do i need to be a cnc operater",
        has=("CNC operator",),
        says=("Associate degree in chosen area of manufacturing",),
    ),
    Case(
        "what do i need to become a welder",
        has=("welder",),
        says=("Industry-recognized credentials", "short-term (one year or less)"),
    ),
    Case(
        "requirements for help desk",
        has=("Help Desk and User Support",),
        says=("Relevant credentials", "CompTIA"),
    ),
    Case(
        "how do I become an IT consultant",
        has=("IT Consultant",),
        lacks=("welder",),
        says=("Associate Degree", "Industry-Recognized Credential"),
    ),
    Case(
        "What do I need for tech support?",
        has=("Technical Support",),
        says=("Relevant credentials",),
    ),
    # ---- education ----
    Case(
        "which jobs need an associate degree",
        has=("CNC operator", "IT Support Specialist"),
        lacks=("welder", "Analyst", "Help Desk and User Support"),
    ),
    Case(
        "jobs that need an assosiate degre",
        has=("CNC operator", "IT Consultant"),
        lacks=("welder", "Database Administrators"),
    ),
    Case(
        "which jobs need a bachelor's degree",
        has=("Analyst", "Database Administrators"),
        lacks=("CNC operator", "welder"),
    ),
    Case(
        "what jobs can I get with a certificate",
        has=("welder", "Help Desk and User Support"),
        lacks=("CNC operator", "general laborer"),
    ),
    Case(
        "which jobs need a high school diploma",
        has=("general laborer", "office helper with Microsoft experience"),
        lacks=("welder", "CNC operator"),
    ),
    Case(
        "Which jobs don't need a degree?",
        has=("general laborer",),
        lacks=("welder", "CNC operator"),
        says=("custodians", "positive attitude"),
    ),
    # ---- steps and pathways ----
    Case(
        "what is step 3",
        has=("welder", "Help Desk and User Support"),
        lacks=("CNC operator", "general laborer"),
        says=("Step 3 of Manufacturing", "Step 3 of Information Technology"),
    ),
    Case(
        "what is step 3 in IT",
        has=("Help Desk and User Support",),
        lacks=("welder",),
    ),
    Case(
        "tell me about step five of manufacturing",
        has=("Analyst",),
        lacks=("Database Administrators",),
    ),
    Case("what is step one", says=("Maine JobLink",)),
    Case("what is step 9?", says=("no step 9",)),
    Case(
        "what jobs are in manufacturing?",
        has=("welder", "CNC operator"),
        lacks=("Help Desk and User Support",),
    ),
    Case(
        "how much can i make in IT",
        has=("Help Desk and User Support", "IT Consultant"),
        lacks=("welder",),
    ),
    Case("how does this work?", says=("Intake & Assessment", "Pathway Engagement")),
    Case(
        "what are the requirements for step 4 in IT",
        has=("IT Consultant",),
        lacks=("CNC operator",),
        says=("Industry-Recognized Credential",),
    ),
    Case(
        "can I be a welder without a diploma?",
        has=("welder",),
        lacks=("general laborer",),
        says=("Industry-recognized credentials",),
    ),
    Case("is welding a good job?", has=("welder",), lacks=("assembler",)),
    Case(
        "what can i earn as an engineer",
        has=("manufacturing engineer", "facilities engineer"),
        lacks=("engineering technician",),
    ),
    Case(
        "how much do machine operators make",
        has=("production machine operator", "Machine operator trainee"),
        lacks=("CNC operator",),
    ),
    Case(
        "jobs from 20 to 30 an hour",
        has=("welder", "Help Desk and User Support"),
        lacks=("office helper with Microsoft experience", "Database Administrators"),
    ),
    Case("how much is 20 dollars an hour per year", says=("$41,600 a year",)),
    Case("can you help me?", lacks=("Help Desk and User Support",), says=("don't know",)),
    # ---- kind answers to amounts that make no sense ----
    Case("more than $20k an hour", says=("Did you mean", "$20 an hour", "$20,000 a year")),
    Case("jobs that pay more than -5 dollars", says=("below $0",)),
    Case("what pays more than $500", says=("per hour", "per year")),
    Case("what pays more than $200 an hour", says=("No job", "IT step 5")),
    Case("what pays more than 20 a year", says=("Did you mean $20 an hour",)),
    Case(
        "what pays more than $0",
        has=("general laborer", "office helper with Microsoft experience", "welder"),
    ),
    # ---- questions we cannot answer, and answers that are not questions ----
    Case("what's the weather today?", says=("don't know", "You can ask me")),
    Case("hi", question=False),
    Case("yes", question=False),
    Case("ged", question=False),
    Case("word and excel", question=False),
    Case("$15 an hour", has=("general laborer",), says=("$15 an hour",)),
    Case("I went to college", question=False),
    Case("I like fixing things", question=False),
    Case("don't know", question=False),
    Case("welder", question=False),
)
