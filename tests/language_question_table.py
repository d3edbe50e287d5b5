"""Free questions in each of the six languages and the facts each answer must and must not hold.

Shared by tests/test_question_languages.py (which prints the accuracy per language). A fact is
a fragment of the answer, compared without case and without the direction marks Arabic answers
carry. Three kinds of fragment:

- a pay key (M2 ... M5, I2 ... I5): that step's average pay as the seed states it, written the
  way the language writes it ("$49.000–55.000 al año"); each language also has rows that spell
  a figure out by hand, so the formatting itself is held to what a reader expects;
- "k:<English>": the catalogue's translation of a knowledge text ("k:Patience" -> "Paciencia"),
  so a row says "the answer names the work-readiness skill" without copying the catalogue;
- anything else, literally (proper names, figures, words of the language).

NO_FIGURE means the answer holds no dollar figure at all (a nurse, a custodian, a school).
The questions are written as people ask them, not as the phrase tables spell them.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_FIGURE = "<no dollar figure>"
PAY_KEYS = ("M2", "M3", "M4", "M5", "I2", "I3", "I4", "I5")
"""Manufacturing and IT steps 2 to 5: their average pay in the language's own writing."""


@dataclass(frozen=True, slots=True)
class Row:
    """One question in one language, what its answer must hold and must not hold."""

    lang: str
    text: str
    holds: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()


def _rows(lang: str, *rows: tuple[str, tuple[str, ...], tuple[str, ...]]) -> list[Row]:
    return [Row(lang, text, holds, lacks) for text, holds, lacks in rows]


H = tuple[str, ...]
NONE: H = ()

ENGLISH = _rows(
    "en",
    ("how much would a self employed welder earn", ("M3",), ("M4",)),
    ("what does step 4 in it pay", ("I4",), ("M4",)),
    ("tell me about step 3 of manufacturing", ("M3",), ("I3",)),
    ("which pays better, IT or manufacturing?", ("M5", "I5"), NONE),
    ("compare it and manufacturing jobs", ("Manufacturing", "IT"), NONE),
    ("is a help desk job more than 20 an hour?", ("I3", "Partly"), NONE),
    ("what can i earn a month as a computer technician", ("I4", "a month"), NONE),
    ("pay for a cost estimator per week", ("M5", "a week"), NONE),
    ("jobs between 50k and 70k a year", ("I4",), ("I5",)),
    ("anything under 16 dollars an hour", ("I2",), ("M5", "I5")),
    ("how long is the IT associate degree", ("two-year associate degree",), NONE),
    ("how many years for upper level manufacturing jobs", ("four-year degree or beyond",), NONE),
    ("where can i study precision machining", ("Central Maine Community College",), (NO_FIGURE,)),
    ("which colleges have IT bachelor degrees", ("University of Southern Maine",), NONE),
    ("what's world of work inventory", ("vocational assessment",), NONE),
    (
        "what is the maine adult education college and career access program",
        ("two- and four-year",),
        NONE,
    ),
    ("do database administrators need a degree", ("four-year",), NONE),
    ("how heavy do i need to lift for an assembler job", ("40 pounds",), NONE),
    ("math for a cnc operator", ("decimals",), NONE),
    ("what does a furniture mover make", ("no pay figure",), (NO_FIGURE,)),
    ("how much does a plumber make", ("do not cover",), (NO_FIGURE,)),
    ("what jobs can i get right now with no experience", ("custodians", "patience"), NONE),
    ("what is phase 5", ("Plan Development",), NONE),
    ("what's the first step", ("intake",), NONE),
    ("which jobs need a bachelor's degree", ("M5", "I5"), ("I2",)),
)

SPANISH = _rows(
    "es",
    ("¿Cuánto gana un soldador?", ("M3", "$49.000–55.000 al año"), ("M2", "a year")),
    ("cuanto paga un trabajo de mesa de ayuda", ("I3", "$18–23 por hora"), NONE),
    ("¿Cuánto gana al año un técnico de computadoras?", ("I4",), ("M4",)),
    ("¿Qué trabajos pagan más de 25 dólares la hora?", ("M4", "I4", "I5"), ("I2", "I3")),
    ("trabajos que pagan menos de 20 dolares por hora", ("I2",), ("M5", "I5")),
    ("¿Qué trabajos pagan entre 15 y 18 dólares por hora?", ("I2",), ("I5",)),
    ("quiero ganar 3000 dólares al mes", ("$36.000 al año",), NONE),
    ("¿Cuánto gana un ingeniero de manufactura?", ("M5",), ("I5",)),
    ("¿Cuánto gana un soldador por cuenta propia?", ("M3",), NONE),
    ("¿Qué necesito para ser soldador?", ("40 libras", "k:industry-recognized credentials"), NONE),
    ("¿Qué piden para trabajar en mesa de ayuda?", ("Central Maine Community College",), NONE),
    ("¿Cuánto peso hay que levantar en una fábrica?", ("40",), NONE),
    ("¿Necesito tener 18 años para trabajar en manufactura?", ("18",), NONE),
    ("¿Qué matemáticas necesito para manufactura?", ("fracciones",), NONE),
    ("¿Necesito inglés para trabajar en informática?", ("inglés",), NONE),
    ("¿Cuánto tiempo tarda el certificado?", ("un año o menos",), NONE),
    ("¿Cuánto tiempo se tarda en ser soldador?", ("un año o menos",), NONE),
    ("¿Cuánto dura el paso 4 de informática?", ("dos años",), NONE),
    ("¿Dónde puedo estudiar CNC?", ("Southern Maine Community College",), (NO_FIGURE,)),
    ("¿Dónde puedo tomar clases de CompTIA?", ("Central Maine Community College",), NONE),
    ("¿Qué es NorthStar?", ("NorthStar Digital Literacy",), NONE),
    ("¿Qué es Maine JobLink?", ("Maine JobLink", "cuenta"), NONE),
    ("¿Cuál es el paso 3 de informática?", ("I3",), ("M3",)),
    ("¿Qué es el paso 4 en manufactura?", ("M4",), ("I4",)),
    ("¿Qué paga más, informática o manufactura?", ("M5", "I5"), NONE),
    ("¿Cuánto gana una enfermera?", ("no hablan", "“enfermera”"), (NO_FIGURE,)),
    ("¿Cuánto gana un conserje?", ("k:custodians",), (NO_FIGURE,)),
    ("¿Qué trabajos hay ahora sin experiencia?", ("k:Patience",), NONE),
    ("¿Por dónde empiezo?", ("fase 1",), NONE),
    ("¿Cuál es el último paso?", ("M5", "I5"), NONE),
    ("¿Qué trabajos piden una licenciatura?", ("M5", "I5"), ("I2",)),
)

PORTUGUESE = _rows(
    "pt",
    ("Quanto ganha um soldador?", ("M3", "$49.000–55.000 por ano"), ("M2",)),
    ("quanto ganha um técnico de informática por ano", ("I4",), NONE),
    ("Quais empregos pagam mais de 20 dólares por hora?", ("M3", "I4", "I5"), NONE),
    ("quais trabalhos pagam menos de 18 dolares por hora", ("I2",), ("I5",)),
    ("Que empregos pagam entre 15 e 17 dólares por hora?", ("I2",), ("I5",)),
    ("quero ganhar 4000 dólares por mês", ("$48.000 por ano",), NONE),
    ("Quanto ganha um engenheiro de manufatura?", ("M5",), ("I5",)),
    ("Quanto ganha um soldador autônomo?", ("M3",), NONE),
    ("Quanto paga o suporte técnico?", ("I3", "$18–23 por hora"), NONE),
    ("O que preciso para ser soldador?", ("40",), NONE),
    (
        "O que preciso para ser operador de CNC?",
        ("k:Associate degree in chosen area of manufacturing",),
        NONE,
    ),
    ("Quanto peso preciso levantar numa fábrica?", ("40",), NONE),
    ("Preciso ter 18 anos para trabalhar na indústria?", ("18",), NONE),
    ("Que matemática preciso para a indústria?", ("frações",), NONE),
    ("Preciso saber inglês para trabalhar em informática?", ("inglês",), NONE),
    ("Quanto tempo demora o certificado?", ("um ano ou menos",), NONE),
    ("Quanto tempo leva para ser soldador?", ("um ano ou menos",), NONE),
    ("Onde posso estudar CNC?", ("Southern Maine Community College",), (NO_FIGURE,)),
    ("Onde posso fazer cursos de CompTIA?", ("Central Maine Community College",), NONE),
    ("O que é NorthStar?", ("NorthStar Digital Literacy",), NONE),
    ("O que é o Maine JobLink?", ("Maine JobLink",), NONE),
    ("Qual é a etapa 3 de informática?", ("I3",), ("M3",)),
    ("O que é a etapa 4 na indústria?", ("M4",), ("I4",)),
    ("O que paga mais, informática ou indústria?", ("M5", "I5"), NONE),
    ("Quanto ganha uma enfermeira?", ("não falam", "“enfermeira”"), (NO_FIGURE,)),
    ("Quanto ganha um zelador?", ("k:custodians",), (NO_FIGURE,)),
    ("Que trabalhos posso fazer agora sem experiência?", ("k:Patience",), NONE),
    ("Por onde eu começo?", ("fase 1",), NONE),
    ("Qual é a última etapa?", ("M5", "I5"), NONE),
    ("Quais empregos pedem um bacharelado?", ("M5", "I5"), ("I2",)),
)

FRENCH = _rows(
    "fr",
    ("Combien gagne un soudeur ?", ("M3", "$49 000–55 000 par an"), ("M2",)),
    ("combien gagne un technicien informatique par an", ("I4",), NONE),
    ("Quels emplois paient plus de 20 dollars de l'heure ?", ("M3", "I4", "I5"), NONE),
    ("quels métiers paient moins de 18 dollars de l'heure", ("I2",), ("I5",)),
    ("Quels emplois paient entre 15 et 17 dollars de l'heure ?", ("I2",), ("I5",)),
    ("je veux gagner 3000 dollars par mois", ("$36 000 par an",), NONE),
    ("Combien gagne un ingénieur de fabrication ?", ("M5",), ("I5",)),
    ("Combien gagne un soudeur à son compte ?", ("M3",), NONE),
    ("Combien paie le support technique ?", ("I3", "$18–23 de l'heure"), NONE),
    ("Que faut-il pour être soudeur ?", ("40",), NONE),
    (
        "Qu'est-ce qu'il faut pour devenir opérateur CNC ?",
        ("k:Associate degree in chosen area of manufacturing",),
        NONE,
    ),
    ("Combien de poids faut-il soulever à l'usine ?", ("40",), NONE),
    ("Faut-il avoir 18 ans pour travailler dans l'industrie ?", ("18",), NONE),
    ("Quelles maths faut-il pour l'industrie ?", ("fractions", "géométrie"), NONE),
    ("Faut-il parler anglais pour travailler en informatique ?", ("anglais",), NONE),
    ("Combien de temps dure le certificat ?", ("un an ou moins",), NONE),
    ("Combien de temps pour devenir soudeur ?", ("un an ou moins",), NONE),
    ("Où puis-je étudier le CNC ?", ("Southern Maine Community College",), (NO_FIGURE,)),
    ("Où suivre des cours CompTIA ?", ("Central Maine Community College",), NONE),
    ("C'est quoi NorthStar ?", ("NorthStar Digital Literacy",), NONE),
    ("Qu'est-ce que Maine JobLink ?", ("Maine JobLink",), NONE),
    ("Quelle est l'étape 3 en informatique ?", ("I3",), ("M3",)),
    ("C'est quoi l'étape 4 dans l'industrie ?", ("M4",), ("I4",)),
    ("Qu'est-ce qui paie le plus, l'informatique ou l'industrie ?", ("M5", "I5"), NONE),
    ("Combien gagne une infirmière ?", ("ne parlent pas", "« infirmière »"), (NO_FIGURE,)),
    ("Combien gagne un concierge ?", ("k:custodians",), (NO_FIGURE,)),
    ("Quel travail je peux faire tout de suite sans expérience ?", ("k:Patience",), NONE),
    ("Par où je commence ?", ("phase 1",), NONE),
    ("Quelle est la dernière étape ?", ("M5", "I5"), NONE),
    ("Quels emplois demandent une licence ?", ("M5", "I5"), ("I2",)),
)

ARABIC = _rows(
    "ar",
    ("كم يكسب عامل اللحام؟", ("M3", "$49,000–55,000 في السنة"), ("M2",)),
    ("كم راتب فني الكمبيوتر في السنة؟", ("I4",), NONE),
    ("ما الوظائف التي تدفع أكثر من 20 دولارا في الساعة؟", ("M3", "I4", "I5"), NONE),
    ("ما الوظائف التي تدفع أقل من 18 دولارا في الساعة؟", ("I2",), ("I5",)),
    ("وظائف تدفع بين 15 و 17 دولار في الساعة", ("I2",), ("I5",)),
    ("أريد أن أكسب 3000 دولار في الشهر", ("$36,000",), NONE),
    ("كم يكسب مهندس التصنيع؟", ("M5",), ("I5",)),
    ("كم يكسب عامل لحام يعمل لحسابه الخاص؟", ("M3",), NONE),
    ("كم يدفع الدعم الفني؟", ("I3", "$18–23 في الساعة"), NONE),
    ("ماذا أحتاج لأكون عامل لحام؟", ("40",), NONE),
    ("ما المطلوب لأكون مشغل CNC؟", ("k:Associate degree in chosen area of manufacturing",), NONE),
    ("كم وزن يجب أن أرفع في المصنع؟", ("40",), NONE),
    ("هل يجب أن يكون عمري 18 سنة للعمل في التصنيع؟", ("18",), NONE),
    ("ما الرياضيات التي أحتاجها للتصنيع؟", ("الكسور",), NONE),
    ("هل أحتاج الإنجليزية للعمل في تقنية المعلومات؟", ("الإنجليزية",), NONE),
    ("كم من الوقت تستغرق الشهادة؟", ("سنة أو أقل",), NONE),
    ("كم من الوقت لأصبح عامل لحام؟", ("سنة أو أقل",), NONE),
    ("أين أدرس CNC؟", ("Southern Maine Community College",), (NO_FIGURE,)),
    ("أين يمكنني دراسة CompTIA؟", ("Central Maine Community College",), NONE),
    ("ما هو NorthStar؟", ("NorthStar Digital Literacy",), NONE),
    ("ما هو Maine JobLink؟", ("Maine JobLink",), NONE),
    ("ما هي الخطوة 3 في تقنية المعلومات؟", ("I3",), ("M3",)),
    ("ما هي الخطوة 4 في التصنيع؟", ("M4",), ("I4",)),
    ("أيهما يدفع أكثر، تقنية المعلومات أم التصنيع؟", ("M5", "I5"), NONE),
    ("كم تكسب الممرضة؟", ("لا تتحدث", "«الممرضة»"), (NO_FIGURE,)),
    ("كم يكسب عامل النظافة؟", ("k:custodians",), (NO_FIGURE,)),
    ("ما العمل الذي أستطيع القيام به الآن بدون خبرة؟", ("k:Patience",), NONE),
    ("من أين أبدأ؟", ("المرحلة 1",), NONE),
    ("ما هي الخطوة الأخيرة؟", ("M5", "I5"), NONE),
    ("ما الوظائف التي تتطلب بكالوريوس؟", ("M5", "I5"), ("I2",)),
)

SOMALI = _rows(
    "so",
    ("Immisa ayuu qaataa alxamiye?", ("M3",), ("M2",)),
    ("immisa ayuu qaataa farsamoyaqaanka kombiyuutarka sannadkii", ("I4",), NONE),
    ("Shaqooyinkee bixiya in ka badan 20 doollar saacaddii?", ("M3", "I4", "I5"), NONE),
    ("shaqooyinkee bixiya in ka yar 18 doollar saacaddii", ("I2",), ("I5",)),
    ("Immisa ayuu qaataa injineerka wax-soo-saarka?", ("M5",), ("I5",)),
    ("Maxaan u baahanahay si aan u noqdo alxamiye?", ("40",), NONE),
    ("Intee in le'eg ayuu qaataa tababarka shahaadada?", ("hal sano ama ka yar",), NONE),
    ("Xagee ayaan ku baran karaa CNC?", ("Southern Maine Community College",), (NO_FIGURE,)),
    ("Waa maxay NorthStar?", ("NorthStar Digital Literacy",), NONE),
    ("Waa maxay Maine JobLink?", ("Maine JobLink",), NONE),
    ("Immisa ayay qaadataa kalkaaliso caafimaad?", NONE, (NO_FIGURE,)),
    ("Waa maxay tallaabada 3 ee IT?", ("I3",), ("M3",)),
    ("Immisa lacag ah ayuu qaataa wadaha CNC?", ("M4",), ("I4",)),
    ("shaqooyinkee bixiya inta u dhaxaysa 15 iyo 17 doollar saacaddii", ("I2",), ("I5",)),
    ("Waxaan rabaa inaan helo 3000 doollar bishii", ("$36,000",), NONE),
    ("Immisa ayay bixisaa taageero farsamo?", ("I3",), NONE),
    ("Ma u baahanahay inaan 18 jir ahaado si aan uga shaqeeyo wax-soo-saarka?", ("18",), NONE),
    ("Culeys intee le'eg ayaan u baahanahay inaan qaado warshadda?", ("40",), NONE),
    (
        "Xisaab noocee ah ayaan u baahanahay wax-soo-saarka?",
        ("k:understanding of decimals, fractions, geometry, taking measurements",),
        NONE,
    ),
    ("Ma u baahanahay Ingiriisi si aan uga shaqeeyo IT?", ("Ingiriis",), NONE),
    ("Xagee ayaan ku baran karaa CompTIA?", ("Central Maine Community College",), NONE),
    ("Waa maxay tallaabada 4 ee wax-soo-saarka?", ("M4",), ("I4",)),
    ("Kee bixiya lacag badan, IT mise wax-soo-saar?", ("M5", "I5"), NONE),
    ("Immisa ayuu qaataa nadiifiye?", ("k:custodians",), (NO_FIGURE,)),
    ("Shaqo noocee ah ayaan hadda heli karaa anigoo aan khibrad lahayn?", ("k:Patience",), NONE),
    ("Xagee ayaan ka bilaabaa?", ("wejiga 1",), NONE),
    ("Waa maxay tallaabada ugu dambaysa?", ("M5", "I5"), NONE),
)

ROWS: tuple[Row, ...] = (*ENGLISH, *SPANISH, *PORTUGUESE, *FRENCH, *ARABIC, *SOMALI)
