"""A whole journey in Spanish through the real engine, flow, knowledge and catalogue: answers
typed as people type them (no accents, typos), the plan, a check-in."""

from __future__ import annotations

from dialogs.state import DialogState, Phase
from tests.transcript import Player, play

INTAKE_ES = """
    cmd: /start
    bot: ¡Hola! Soy Pathways
    bot: escuela más alta
    user: termine la secundria
    bot: Entendido: Secundaria o GED
    bot: inglés
    user: el ingles es dificil para mi
    bot: computadora
    user: word y excel
    bot: En qué has trabajado
    user: tienda
    bot: Qué tipo de trabajo te gusta
    user: computadoras y paginas web
    bot: 18 años
    user: si
    bot: ayuda
    user: no necesito nada
    bot: trabajo ya
    user: tengo trabajo
    bot: horas por semana
    user: 8
    bot: Esto es lo que mejor te queda
    bot: Informática
    bot: por hora
    not: an hour
"""


def spanish() -> Player:
    return Player(state=DialogState(language="es"))


def test_a_spanish_intake_typed_with_typos_is_understood_and_answered_in_spanish() -> None:
    player = play(INTAKE_ES, spanish())
    answers = player.state.answers
    assert answers["school"] == "high_school"
    assert answers["english"] == "hard"
    assert answers["computer"] == "office"
    assert "retail" in answers["experience"]
    assert {"it_infrastructure", "it_web"} <= set(answers["interests"])
    assert answers["job_now"] == "have_job"
    assert player.state.phase is Phase.RECOMMEND


def test_the_spanish_journey_reaches_a_dated_plan_and_a_check_in() -> None:
    player = play(INTAKE_ES, spanish())
    labels = [o.label for o in player.replies[-1].choices]
    pick = next(label for label in labels if "IT" in label or "Informática" in label)
    play(f"tap: {pick}", player)
    assert player.state.pending == "select"  # phase 3: the choice confirmed before the goals
    assert "metas" in player.replies[-1].choices[0].label.lower()
    play(f"tap: {player.replies[-1].choices[0].label}", player)
    while player.state.pending == "goal":
        play(f"tap: {player.replies[-1].choices[0].label}", player)
    assert player.state.pending == "plan_ok"
    said = player.said()
    assert "Tu plan" in said and "Maine JobLink" in said
    play(f"tap: {player.replies[-1].choices[0].label}", player)
    assert player.state.pending == "cadence"
    play(f"tap: {player.replies[-1].choices[0].label}", player)
    if player.state.pending == "checkin_time":
        play(f"tap: {player.replies[-1].choices[0].label}", player)
    assert player.state.phase is Phase.ENGAGED and player.state.milestones
    play("wait: 8d\ndue: checkin\nbot: ¿Cómo vas con este paso?", player)


def test_a_pay_question_asked_in_spanish_is_answered_without_losing_the_place() -> None:
    player = play(
        """
        cmd: /start
        user: ¿Cuánto gana un soldador?
        bot: $49.000–55.000 al año
        not: a year
        bot: escuela más alta
        user: ¿Que trabajos pagan mas de 20 dolares por hora?
        bot: más de $20 por hora
        not: Pay is the average
        """,
        spanish(),
    )
    assert player.state.pending == "q:school"
    assert "Trabajos que pagan más de $20 por hora" in player.replies[0].text  # in Spanish


def test_the_math_caution_reads_as_one_sentence_in_spanish() -> None:
    player = play(
        """
        cmd: /start
        user: no termine la secundaria
        user: el ingles es dificil para mi
        user: solo celular
        user: fabrica
        user: hacer cosas
        user: si
        user: si puedo
        user: un poco
        user: ninos
        user: si
        user: menos de 5
        bot: Esto es lo que mejor te queda
        bot: Las matemáticas en manufactura van desde cuentas y medidas básicas
        not: desde Las matemáticas
        """,
        spanish(),
    )
    assert player.state.answers["math"] == "some"


def test_moving_the_dates_after_a_stuck_check_in_offers_months_in_spanish() -> None:
    from dialogs.state import Choice

    player = play(INTAKE_ES, spanish())
    for _ in range(6):
        if player.state.phase is Phase.ENGAGED:
            break
        play(f"tap: {player.replies[-1].choices[0].label}", player)
    play("wait: 8d\ndue: checkin", player)
    for option in ("ci:stuck", "stuck:course", "sn:move"):
        player.send(Choice(option, player.state.version))
    labels = [o.label for o in player.replies[-1].choices]
    assert labels == ["1 mes", "3 meses", "6 meses"], labels
    before = [m.target for m in player.state.milestones]
    play("tap: 3 meses\nbot: 3 meses", player)
    assert [m.target for m in player.state.milestones] != before
