"""Every fixed sentence the bot says, in one place, so wording can be reviewed and tested.

Plain words, short sentences, one question at a time (tests keep the reading grade low).
"""

WELCOME = (
    "Hi! I'm Pathways. I help you plan a path to a better job, step by step. "
    "It takes about 5 minutes. You can stop any time and pick up later."
)
WELCOME_BACK = "Welcome back! You were here:"
BACK_TO = "Back to where we were:"
SORRY = "Sorry, something went wrong on my side. Your answers are safe."
NOT_UNDERSTOOD = "Sorry, I did not get that: “{said}”. Tap an answer below, or type its number."
DID_YOU_MEAN = "Did you mean one of these?"
DID_YOU_MEAN_ONE = "Did you mean “{label}”? Tap it, or tap another answer."
SOCIAL = "🙂 When you are ready, tap the answer that fits you, or type its number."
LOST = (
    "No problem. Tap the answer that fits you best. You can also type /counselor to ask a person."
)
WHICH_ONE = "Which one? Tap it, or type its number."
ASK_AGAIN = "OK, not that one. Tap your answer, or type its number."
CHANGE = "↩ Change my answer"
CHANGE_ONE = "↩ Change: {answer}"
GOT_IT = "Got it: {answer}."
CHANGE_LEAD = "OK, let's change that."
BACK_FIRST = "This is the first question, so there is nothing before it."
BACK_NONE = "There is nothing to go back to here."
BACK_DONE = "OK, one step back."
RECOMPUTED = "I updated your plan for that change. You can start at step {step} of {name}."
MORE = "More"
GLOSS = "{term} means {meaning}."
NO_MORE = "That was all of it."
JUNK = "That does not look like an answer. Tap an answer below, or type its number."
MOVED_ON = "That question has moved on. Here is where we are now:"
STALE_BUTTON = "That button is from an earlier question. Here is where we are now:"
MEDIA = "I can read text and button taps, but not pictures, voice or files."
EMPTY = "I did not see any words. Please tap a button or type your answer."
TOO_LONG = "That is a long message! I read only the start of it."
PICK_MORE = "Added: {added}. Anything else? Tap more, or tap That's all."
THATS_ALL = "That's all"
PICK_ONE = "Please tap at least one answer first, or type it."
WHY = "Why I ask: {why}"
HELP = (
    "You can tap the buttons or type your answer.\n"
    "You can ask me things like: what pays more than $20 an hour?\n"
    "Commands:\n"
    "/progress - how far you are\n"
    "/plan - your plan\n"
    "/pathways - see the pathways\n"
    "/back - go back one question\n"
    "/change - change your pathway or goal\n"
    "/checkins - how often I check in\n"
    "/pause - take a break\n"
    "/leave - leave the pathway (you can come back)\n"
    "/resume - come back\n"
    "/counselor - talk to a person\n"
    "/mydata - see what I saved\n"
    "/forget - delete your data\n"
    "/restart - start over"
)
UNKNOWN_COMMAND = "I don't know that command. Type /help to see what I can do."

RECOMMEND_INTRO = "Thank you! Here is what fits you best:"
START_AT = "You can start at step {step}: {title}."
START_PAY = "Jobs there: {jobs}. Pay: {pay}."
NEXT_PAY = "Next, step {step}: {jobs}. Pay: {pay}."
RECOMMEND_TIE = "Thank you! Both fit you. Here is how they differ:"
REASON_LIKE = "You like: {what}."
REASON_DONE = "You have done: {what}."
REASON_DEGREE = "Your degree in {what} counts here."
REASON_CERT = "Your certificate in {what} counts here."
REASON_COMPUTERS = "You are good with computers."
REASON_MATH = "You are good at math."
HAVE_PART = "You have {have}. For step {step} you also need: {lack}."
HAVE_FIELD = "You have {have}, but not in {fields}. Step {step} asks for one in {fields}."
HAVE_ALSO = "It also asks for: {lack}."
CAUTION_NEED = "Needed at {steps}: {need}. {instead}"
CAUTION_INSTEAD = "{names} does not list this."
CAUTION_ENGLISH_NEED = (
    "Needed at {steps}: English. English language classes come first in your plan."
)
CAUTION_ENGLISH_CLASSES = "The classes here come with English classes if you need them."
CAUTION_MATH = "The math here may range from {math}. Math classes can help."
CAUTION_MATH_SENTENCE = "{sentence} Math classes can help."
NO_PAY_YET = "Step 1 has no pay of its own. A job now can help: {jobs}."
PICK_PATHWAY = "Which pathway do you want?"
COMPARE = "Compare them"
CHOOSE = "Choose {name}"
COMPARE_INTRO = "Here are the pathways side by side:"
COMPARE_JOBS = "Jobs at each step of {name}:"
COMPARE_STEP_JOBS = "Step {step}: {jobs}."
COMPARE_TITLES = "The full names of the steps of {name}, as the documents write them:"
CHOSEN = "Great choice: {name}!"
SELECT_ASK = "Is this your choice? You can compare the pathways first."
SELECT_YES = "Yes, set my goals"
COMPARE_FIRST = "Compare first"
SELECT_LIST = "Back to the list"

GOALS_INTRO = "Now let's set your goals."
GOAL_IMMEDIATE = "Right now: {goal}"
GOAL_MID = "Mid-term: step {step}, {jobs} ({pay})"
GOAL_LONG_ASK = "Where do you want to be in a few years? Pick your long-term goal."
GOAL_STAY = "Stay at step {step}: {jobs}{pay}"
GOAL_STEP = "Step {step}: {jobs}{pay}"
GOAL_OTHER_PATHWAY = "Pick a new pathway"
GOALS_SET = "Your goals:"
GOAL_MID_IS = "Mid-term: step {step}, {jobs}{pay}"
GOAL_LONG_IS = "Long-term: step {step}, {jobs}{pay}"
GOAL_TOP = "You can start at the top step already. Your goal: {jobs} ({pay})."
WORK_READY = "For a job now you need: {skills}."

PLAN_INTRO = "Your plan (dates are estimates - you can change them):"
PLAN_JOB_NOW = "Get a job now: {jobs}"
PLAN_APPLY_NOW = "Apply for jobs now: {jobs} ({pay})"
PLAN_APPLY = "Apply for jobs: {jobs}{pay}"
PLAN_SUPPORT = "Ask for help with {needs}. Ask about support services at {where}."
PLAN_EXPLORE = "{action} or the World of Work Inventory"
PLAN_ENGLISH = "Take English classes. Ask at {where}."
PLAN_STEP = "Step {step}: {todo}"
WHERE = "Where to study:\n{where}"
NOW = "now"
NO_LENGTH = "no set length"
PLAN_NOW = "Now"
PLAN_NEXT = "Next"
PLAN_HOW_LONG = "   How long: {timeframe}"
PLAN_ALSO = "   Step {step} also lists: {needs}."
PLAN_OVERALL = "Overall: {start} to {end}, about {span}."
PLAN_OVERALL_NOW = "Overall: everything here starts now."
PLAN_NO_LENGTH = (
    "Items marked Next have no set length in the documents. Later dates move when you finish them."
)
PLAN_PART_TIME = (
    "You have {hours} hours a week. Part-time study may take longer. You can move any date."
)
PLAN_UNSKILLED = "A job now is fine. Unskilled jobs may be needed while you move up the pathway."
PLAN_OK = "Does this plan look OK?"
PLAN_YES = "Looks good"
PLAN_SLOWER = "I need more time"
PLAN_GOAL = "Change my goal"
NEXT_ACTION = "Your next step: {action}"

CADENCE_ASK = "How often should I check in with you?"
TIME_ASK = "What time of day is best for a check-in?"
CADENCE_SET = "OK! I will check in {cadence}. First check-in: {date}."
ENGAGED_IDLE = "You are on your way! Type /progress or /plan, or ask me about jobs and pay."

CHECKIN = "Hi! How is it going with this step?\n{milestone} (by {date})"
REMINDER = "Just checking in again. How is it going?\n{milestone} (by {date})"
CHECKIN_STOP = (
    "I have not heard from you, so I will stop checking in for now. "
    "Your plan is saved. Type /start any time to come back."
)
ALL_DONE = "You finished every step in your plan. Well done! Type /change to set a new goal."
DONE = "Well done! You finished: {milestone}."
DONE_NEXT = "Next: {milestone} (by {date})."
DATES_FOLLOW = "I moved the later dates to start from today. They are still estimates."
DONE_PAY = "Pay now: {now}. Pay at step {step}: {next}."
WORKING = "Good! Keep going. I will check in again on {date}."
SNOOZED = "OK, I will ask again on {date}."
STUCK_ASK = "Sorry to hear that. What is in the way?"
STUCK_NEXT = "What would help?"
MOVE_DATE = "Move my date later"
KEEP_DATE = "Keep my date"
STUCK_WORK = (
    "A job now can help while you train. These jobs need no training:\n{jobs}\nYou need: {skills}."
)
STUCK_SUPPORT = (
    "Adult Education and Workforce Solutions can help with support services. "
    "Ask them about {need}. Type /counselor to talk to a person."
)
STUCK_COURSE = "Other places that teach this step: {resources}."
STUCK_SHORTER = "A shorter way: a short-term certificate (one year or less) at step 3."
STUCK_HEALTH = "Your health comes first. You can pause your plan and come back any time."

CHANGE_ASK = "What do you want to change?"
CHANGE_PATHWAY = "My pathway"
CHANGE_GOAL = "My goal"
CHANGE_CANCEL = "Nothing, go back"
LEAVE = "Leave the pathway"
EXIT_ASK = "Sorry to see you go. Why are you leaving? (This helps the agency.)"
EXIT_JOB = "Well done on the new job!"
EXIT_THANKS = "Thank you for telling me."
EXITED = (
    "I stopped your check-ins. Your plan is saved.\n"
    "You can come back any time: just write to me. "
    "We will look at what changed and plan again from there."
)
CHANGED_ASK = "What changed since we last talked?"
REPLAN = "OK. Let's plan again from where you are now."
MENU_PROGRESS = "How am I doing?"
MENU_PLAN = "My plan"
MENU_GOAL = "Change my goal"
MENU_PATHWAY = "Change my pathway"

PAUSE_ASK = "OK, let's pause. Why do you need a break? (This helps us help you.)"
PAUSED = (
    "Your plan is paused and saved. Nothing is lost. Type /resume when you are ready to come back."
)
PAUSED_NOTE = "Your plan is paused. Type /resume to come back."
RESUME_ASK = "Do you want to pick up where you left off?"
RESUMED = "Great to have you back!"
CONTINUE = "Yes, go on"
CHANGE_DATES = "Change the dates"
CHANGE_PLAN = "Change my plan"
SHIFT_ASK = "How much more time do you need?"
NOT_PAUSED = "You are not paused. Let's keep going."

RESTART_ASK = "Start over? Your answers and plan will be cleared."
RESTART_DONE = "OK, we start fresh."
FORGET_ASK = "Delete everything I saved about you? This cannot be undone."
FORGOTTEN = "Done. I deleted everything about you. Type /start if you want to begin again."
KEPT = "OK, nothing changed."
YES = "Yes"
NO = "No"

NO_PLAN = "You don't have a plan yet. Let's finish the questions first."
PROGRESS = "Step {step} of {total}: {title}\n{bar}"
PROGRESS_DONE = "Done: {done} of {total} milestones."
PROGRESS_NEXT = "Next: {milestone} (by {date})."

MYDATA_INTRO = "This is everything I saved about you:"
MYDATA_OUTRO = "Type /forget to delete it all."

HANDOFF_SENT = (
    "I asked a counselor to help you. A person will reply here soon.\n"
    "Until then, what you write here goes to the counselor."
)
HANDOFF_CONSENT = (
    "A counselor at the agency can help you.\n"
    "May I show them your answers and your plan? They never see your name from me."
)
SHARE_YES = "Yes, share"
SHARE_NO = "No, don't share"
HANDOFF_PRIVATE = "The person chose not to share their answers."
HANDOFF_WAIT = "I sent this to the counselor. They will reply here."
HANDOFF_ALREADY = "A counselor already has your question. They will reply here."
NO_COUNSELOR = (
    "I can't reach a counselor from this chat yet.\n"
    "Please call or visit your local Workforce Solutions or Adult Education office."
)
BACK_TO_BOT = "Back to the bot"
TALK_TO_PERSON = "Talk to a person"
COUNSELOR_SAYS = "Counselor: {text}"
HANDED_BACK = "The counselor handed you back to me. Let's go on."
LEFT_HANDOFF = "OK, you are back with me. You can ask for a person again with /counselor."
MYDATA_SHARED = {
    True: "- You agreed to share your answers with a counselor.",
    False: "- You chose not to share your answers with a counselor.",
    None: "- You have not been asked about sharing with a counselor.",
}
MYDATA_AGENCY = (
    "The agency's figures show only: your phase, pathway, steps, milestone dates, "
    "last active day and referral code. Never your name or your messages."
)

LANGUAGE_ASK = "Which language do you want? You can change it any time with /language."
LANGUAGE_SET = "OK. I will write in English."
"""Each catalogue says it in its own language ("Bien. Voy a escribir en español.")."""
LANGUAGE_OTHER = "More languages"


# ---- in the person's language ------------------------------------------------------------------
# The constants above are the English sentences (the catalogue's keys, extracted by
# dialogs/extract.py). They are moved out of the module's namespace here, so that `say.WELCOME`
# goes through __getattr__ and comes back in the language of the turn (dialogs.i18n.use), English
# when the catalogue lacks it. `ENGLISH` keeps the source sentences for tests and tools.

ENGLISH: dict[str, str | dict[bool | None, str]] = {
    _name: _value
    for _name, _value in list(globals().items())
    if _name.isupper() and isinstance(_value, str | dict)
}
for _name in ENGLISH:
    del globals()[_name]


def __getattr__(name: str) -> object:
    """A sentence in the current language (dicts of sentences: each value translated)."""
    from dialogs.i18n import gettext

    try:
        value = ENGLISH[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    if isinstance(value, dict):
        return {key: gettext(text) for key, text in value.items()}
    return gettext(value)
