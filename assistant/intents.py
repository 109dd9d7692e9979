"""What a student's message asks for, in English or Spanish, before any retrieval.

Each intent is one function over the message (and the little dialogue state it needs). The
offline assistant asks them in order: a person, booking, the student's own booking, small talk;
only what none of them claims is a question for the knowledge base.
"""
import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Optional

from .when import PARTS, fold, parse_date, parse_part_of_day, parse_time


def _rx(pattern):
    return re.compile(pattern, re.I)


_CHAT_SPEAK = [(re.compile(r"\bu\b"), "you"), (re.compile(r"\bur\b"), "your"), (re.compile(r"\bplz\b"), "please"),
               (re.compile(r"\bwanna\b"), "want to"), (re.compile(r"\bq\b"), "que"), (re.compile(r"\bxq\b"), "por que")]


def _norm(text):
    """Folded text with chat spellings written out ("what time did u book" -> "... did you book")."""
    folded = fold(text).replace("’", "'")
    for pattern, word in _CHAT_SPEAK:
        folded = pattern.sub(word, folded)
    return folded


# -- a person ---------------------------------------------------------------------------

_NOT_PEOPLE = r"(?!\s*(?:'s|rights|resources|biology|anatomy|geography|development|sciences?|ecology|nutrition|" \
              r"medicine|movement|kinetics|physiology|services))"
_PERSON_NOUN = (r"(?:human|person|people|someone|somebody|anyone|anybody|advis[eo]rs?|agents?|representatives?|reps?|"
                r"staff|counsel+ors?|operators?|officers?|recruiters?|member of (?:the )?(?:staff|team)|your team|"
                r"the team|admissions team|alguien|persona|personas|humano|humana|ser humano|asesor|asesora|asesores|"
                r"agente|representante|operador|operadora|personal|consejero|consejera|orientador|orientadora|"
                r"encargado|encargada)") + _NOT_PEOPLE
_PERSON_VERB = (r"(?:talk|speak|chat|connect|transfer|put|pass|hand|forward|get|want|need|like|have|give|reach|"
                r"contact|escalate|see|bring|hablar|habla|hablo|comunicar|comunica|comunicame|comuniqueme|pasame|"
                r"paseme|pasar|pasa|transferir|transfiere|contactar|quiero|quisiera|necesito|ponme|pongame|"
                r"conectar|conectame|atender|atienda|atiende|pasas|pasarme|pases)")
_ASKS_PERSON = [
    _rx(r"\b" + _PERSON_VERB + r"\b(?:\s+\S+){0,4}?\s+" + _PERSON_NOUN + r"\b"),
    _rx(r"\b(?:real|actual|live|proper) (?:person|human|agent|people|advisor)\b"),
    # "can an advisor chat with me?", "is there a person I can talk to?"
    _rx(r"\b(?:can|could|may|will|would) (?:an? |the |your |one of your )?" + _PERSON_NOUN +
        r" (?:\w+ )?(?:chat|talk|speak|help|contact|answer|respond|get in touch)\b"),
    _rx(_PERSON_NOUN + r" (?:i|we) (?:can|could) (?:talk|speak|chat)\b"),
    _rx(r"\bme (?:pasas|pasa|pones|pone|comunicas|comunica|transfieres|transfiere|conectas|conecta) con\b|"
        r"\b(?:puede|podria) (?:un |una |algun )?(?:asesor|asesora|persona|agente|humano)\b"),
    _rx(r"\b(?:is|are) (?:there )?(?:any ?one|any ?body|someone|somebody) (?:there|here|real|available|around|"
        r"online)\b|^\s*(?:any ?one|any ?body|hello+) (?:there|here|home)\s*\?+"),
    _rx(r"\bhay (?:alguien|una persona|algun humano)\b|\balguien (?:me )?(?:puede|podria) (?:atender|ayudar)\b|"
        r"\batencion (?:humana|personal|personalizada)\b|\bpersona (?:real|de verdad)\b"),
    _rx(r"\b(?:no|not a|not the|stop the|no more) (?:bots?|robots?|machines?)\b|\bsin (?:bots?|robots?)\b"),
    _rx(r"\b(?:transfer|escalate|put) me(?: through)?\b|\bescalate (?:this|it)\b|\btransfiereme\b|"
        r"\b(?:talk|speak|chat) (?:to|with) (?:the )?admissions(?: office| team)?\b|"
        r"\bhablar con (?:la oficina de |el equipo de )?admisiones\b"),
]
# A whole message that is only a person noun ("human", "agent please", "un asesor por favor").
_ONLY_PERSON = _rx(r"^\W*(?:a |an |un |una |the )?(?:real |live )?" + _PERSON_NOUN +
                   r"(?: (?:please|pls|now|por favor|ya|ahora))*\W*$")
_FRUSTRATED = [
    _rx(r"\b(?:useless|pointless|hopeless|waste of (?:my )?time|fed up|sick of|frustrat\w*|not what i asked|"
        r"(?:read|answer) my question|(?:stupid|dumb|useless) (?:bot|robot|machine|assistant|chatbot|thing))\b"),
    _rx(r"\b(?:this|you|it|that|the bot|the chat)(?:\s+(?:is|are|was|were)|'s|'re)\s+(?:really |so |just )?"
        r"(?:not (?:helpful|helping|useful|working|listening)|no help|terrible|awful|so bad|wrong|ridiculous|"
        r"annoying|nonsense|stupid|dumb)\b"),
    _rx(r"\b(?:this|you|it|that)\s+(?:doesn'?t|does not|don'?t|do not|didn'?t|did not|isn'?t|is not|aren'?t|are not|"
        r"can'?t|cannot|won'?t)\s+(?:help|helping|work|working|understand|answer|make sense|get it)\b"),
    _rx(r"\bno (?:me )?sirve(?:s|n)?\b|\besto no sirve\b|\binutil(?:es)?\b|\bno (?:me )?(?:ayuda|ayudas|ayudan|entiendes|"
        r"entiende|contesta|contestas|responde|respondes)\b|\bperdida de tiempo\b|\b(?:estoy|me tienes) "
        r"(?:harto|harta|cansado|cansada)\b|\bque desastre\b|\b(?:esto es|eres) (?:ridiculo|absurdo|tonto|"
        r"una tonteria)\b|\b(?:bot|robot|maquina) (?:tonto|inutil)\b|"
        r"\bno es lo que (?:pregunte|pedi)\b|\bfrustra\w*\b"),
]
# Asking when a person is free is a booking question; asking what the assistant is, small talk.
_NOT_A_REQUEST = _rx(r"\bwhen (?:can|could|will|do)\b|\bwhat time\b|\bcuando (?:puedo|podria|puede)\b|"
                     r"\bare you (?:a |an )?(?:real |actual )?(?:human|person|bot|robot|ai|machine)\b|"
                     r"\beres (?:un |una )?(?:humano|humana|persona|bot|robot|maquina)\b")


def wants_person(text):
    """'person' when the student asks for a human, 'frustrated' when they are fed up with the bot, else None."""
    folded = _norm(text)
    if _BOOK_VERB.search(folded) or _CALL_WITH.search(folded):
        return None  # "a call with an advisor" is a booking
    asks = _ONLY_PERSON.search(folded) or (
        any(p.search(folded) for p in _ASKS_PERSON) and not _NOT_A_REQUEST.search(folded))
    if asks:
        return "person"
    if any(p.search(folded) for p in _FRUSTRATED):
        return "frustrated"
    return None


# -- booking ----------------------------------------------------------------------------

_MEETING = r"(?:call|calls|appointment|appointments|meeting|slot|slots|consultation|session|video ?call|phone call|" \
           r"zoom|llamada|llamadas|cita|citas|reunion|videollamada|consulta|sesion|turno|hora)"
_BOOK_VERB = _rx(r"\b(?:book|schedule|reschedule|reserve|rebook|reservar|reservame|agendar|agendame|"
                 r"programar|programame|concertar)\b(?:\s+\S+){0,4}?\s+(?:" + _MEETING[3:-1] +
                 r"|me|us|it|one|una|otra)\b")
# Also nouns ("la reserva de plaza", "the class schedule"): a booking only with a day or a time.
_BARE_BOOK = _rx(r"\b(?:book|schedule|reserve|reserva|reservame|reservar|agenda|agendar|agendame|programar)\b")
_WANTS_MEETING = _rx(r"\b(?:want|need|like|get|have|do|arrange|set up|request|make|organi[sz]e|quiero|quisiera|necesito|"
                     r"puedo|podria|gustaria|dame|hacer|pedir|solicitar|tener)\b(?:\s+\S+){0,3}?\s+"
                     r"(?:a|an|another|one|una|otra|un)\s+" + _MEETING + r"\b")
_AVAILABILITY = _rx(r"\b(?:free|available|libres?|disponibles?) (?:slots?|times?|appointments?|horarios?|huecos?|"
                    r"turnos?|citas?)\b|\bopen (?:slots?|appointments?)\b|\b(?:slots?|availability|disponibilidad)\b|"
                    r"\bhorarios? (?:libres?|disponibles?)\b|"
                    r"\bwhen (?:can|could) (?:i|we) (?:talk|speak|meet|call|have a call)\b|"
                    r"\bwhen (?:is|are) (?:an? |the )?advis[eo]rs? (?:free|available)\b|"
                    r"\b(?:calls?|appointments?|meetings?|advis[eo]rs?|times?|llamadas?|citas?|asesor(?:es)?|horas?) "
                    r"(?:are |is |estan |esta |hay )?"
                    r"(?:available|free|open|disponibles?|libres?)\b|"
                    r"\bcuando (?:puedo|podria) (?:hablar|reunirme|llamar)\b|"
                    r"\b(?:what|which) (?:times?|days?|slots?|hours?) (?:do you have|are there|have you got|can you do|"
                    r"are left|do you offer)\b|\bque (?:horarios?|horas?|dias?) (?:tienes|tienen|hay|quedan|ofrecen)\b")
_CALL_WITH = _rx(r"\b(?:call|meeting|appointment|video ?call|llamada|cita|reunion|videollamada)\s+(?:\w+\s+){0,2}?"
                 r"(?:with|con)\s+(?:a |an |the |un |una |el |la |one of (?:your |the )?|alguno de (?:los |sus )?)?"
                 r"(?:advis[eo]rs?|counsel+ors?|someone|somebody|you|person|admissions|staff|asesor|asesora|asesores|"
                 r"alguien|ustedes|usted|admisiones|persona)\b|\b(?:on|in|over|by) (?:a |the )?(?:call|phone|video ?call|zoom)"
                 r"\b|\b(?:por|en una) (?:llamada|telefono|videollamada)\b")
_OTHER_TIMES = _rx(r"\b(?:other|another|different|more|later|earlier) (?:times?|slots?|days?|options?|dates?)\b|"
                   r"\bnone of (?:those|these|them)\b|\b(?:otros?|otras?|mas) (?:horarios?|dias?|horas?|opciones?|"
                   r"fechas?)\b|\bninguno\b|\bninguna\b|\botro dia\b")
_ANY_TIME = _rx(r"\b(?:any ?time|whenever|whichever|any (?:slot|of them|one)|(?:does ?n[o']?t|do ?n[o']?t) (?:matter|mind|care)|"
                r"first (?:available|free)|earliest|cualquier(?:a| hora| horario)?|me da igual|lo que sea|cuando sea|"
                r"la primera (?:libre|disponible))\b")
_POLICY_QUESTION = _rx(r"\b(?:do|does|did|will) (?:i|we|you|one|students?) (?:need|have|get)\b|"
                       r"\b(?:necesito|necesita|necesitan|hace falta|se necesita|hay que|tengo que)\b.*\?")
_CALL_ME = _rx(r"\b(?:call me|give me a call|ring me|llamame|llamenme|me (?:pueden|puede|podrian|podria) llamar)\b")
_CONFIRM = _rx(r"^\W*(?:yes|yeah|yep|sure|ok(?:ay)?|please|that one|si|vale|claro|dale|perfecto|esa|ese)\b")


def booking_request(text, today, offered=(), mine=None, booked_day=None):
    """("book", args) or ("list", args) for the booking tools, or None when the message is not about booking.

    `offered` are the (date, time) slots the assistant listed last, in order; `mine` is the
    own-booking intent of the message (show and cancel are not bookings); `booked_day` is the day
    of the student's booked call, which "make it 2pm instead" keeps.
    """
    if mine in ("show", "cancel"):
        return None
    folded = _norm(text)
    if offered and (_answers_offer(folded) or _BARE_BOOK.search(folded)):
        picked = pick_offered(text, offered, today)
        if picked:
            return "book", {"date": picked[0].isoformat(), "time": picked[1].strftime("%H:%M")}
    verb = _BOOK_VERB.search(folded) or _WANTS_MEETING.search(folded) or _BARE_BOOK.search(folded)
    # What follows the booking verb is the time wanted: "my exam is Monday at 9, book me Wednesday at 4".
    day, hour, part = _when(folded[verb.start():], today) if verb else (None, None, None)
    if not (day or hour or part):
        day, hour, part = _when(text, today)
    if verb and verb.re is _BARE_BOOK and not (day or hour):
        verb = None  # "how do I book a campus tour?" is a question
    if verb and verb.re is _WANTS_MEETING and _POLICY_QUESTION.search(folded):
        verb = None  # "do I need an appointment to visit?" asks about a rule
    wanted = verb or _AVAILABILITY.search(folded) or _CALL_ME.search(folded) or mine == "move" \
        or (_CALL_WITH.search(folded) and day and hour)
    if not (wanted or (offered and _answers_offer(folded))):
        return None
    if mine == "move" and hour and not day:
        day = booked_day
    if day and hour:
        return "book", {"date": day.isoformat(), "time": hour.strftime("%H:%M")}
    if hour and not (day or part):
        return "book", {"time": hour.strftime("%H:%M")}
    # "do you have anything on Thursday afternoon?" asks what is free; "Thursday afternoon" picks it.
    asking = not verb and ("?" in text or _OTHER_QUESTION.search(folded)) and not _ANY_TIME.search(folded)
    if not asking and (hour or (day and part) or (part and offered)):
        args = {"date": day.isoformat()} if day else {}
        args.update({"time": hour.strftime("%H:%M")} if hour else {"part_of_day": part})
        if not hour and _ANY_TIME.search(folded):
            args["earliest"] = True
        return "book", args
    if day and _ANY_TIME.search(folded):
        return "book", {"date": day.isoformat(), "earliest": True}
    if day or part:
        return "list", {k: v for k, v in (("date", day and day.isoformat()), ("part_of_day", part)) if v}
    if wanted or _OTHER_TIMES.search(folded):
        return "list", {}
    return None


_PICK_WORDS = _rx(r"\b(?:works?|suits?|good|fine|ok(?:ay)?|please|pls|plz|perfect|great|take|go with|let'?s do|book (?:it|that)|"
                  r"vale|me viene|me va|bien|perfecto|esa|ese|me quedo|sirve|reserva(?:la|lo)?)\b")
_OTHER_QUESTION = _rx(r"^\W*(?!what about|how about|and |y |que tal)(?:what|when|where|why|how|who|which|is|are|do|does|"
                      r"can|could|will|que|cuando|donde|por que|como|quien|cual|cuanto|cuanta|es|hay|puedo|tienen)\b")


# Days of the week, parts of the day and clock times are what slot lists are about; months are
# what deadlines are about ("is the deadline March 1?").
_SLOT_WORDS = _rx(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|tomorrow|"
                  r"morning|afternoon|evening|lunes|martes|miercoles|jueves|viernes|sabado|domingo|manana|tarde|"
                  r"\d{1,2}(?::\d\d| ?[ap]\.?m\b))\b")


def _answers_offer(folded):
    """Whether a message after a slot list reads as an answer to it rather than a new question."""
    if _PICK_WORDS.search(folded) or _OTHER_TIMES.search(folded) or _SLOT_WORDS.search(folded):
        return True
    if _OTHER_QUESTION.search(folded):
        return False
    return len(folded.split()) <= 8 or bool(parse_time(folded) or parse_part_of_day(folded))


def _when(text, today):
    return parse_date(text, today), parse_time(text), parse_part_of_day(text)


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
             "5th": 4, "sixth": 5, "6th": 5, "primera": 0, "primero": 0, "primer": 0, "segunda": 1, "segundo": 1,
             "tercera": 2, "tercero": 2, "tercer": 2, "cuarta": 3, "quinta": 4, "quinto": 4, "sexta": 5, "sexto": 5}
_ORDINAL = _rx(r"\b(" + "|".join(_ORDINALS) + r")\b")
_NUMBERED = _rx(r"\b(?:option|number|no\.?|opcion|numero|#)\s*(\d{1,2})\b|^\W*(?:la |el )?(\d{1,2})\W*$")
# "11 works for me": a number that is an offered hour
_HOUR_NUMBER = _rx(r"(?<![\d$:.,])\b(\d{1,2})(?::00)?\b(?!\s*(?:(?:st|nd|rd|th)\b|%|[.,]\d|years?|anos?|dias?|days?))")
_LATEST = _rx(r"\b(?:last|latest|later|latter|ultima|ultimo|mas tarde)\b")
_EARLIEST = _rx(r"\b(?:earliest|earlier|soonest|first available|mas temprano|mas temprana|mas pronto)\b")


def pick_offered(text, offered, today):
    """The (date, time) of an offered slot the message points at ("the second one", "el de las 10",
    "the later one on Friday"), or None if it points at none or at several."""
    folded = fold(text)
    chosen = list(offered)
    filtered = False
    day = parse_date(text, today)
    if day and any(d == day for d, _ in chosen):
        chosen, filtered = [s for s in chosen if s[0] == day], True
    elif day and not _ORDINAL.search(folded) and not re.search(r"\b\d{1,2}(st|nd|rd|th)\b", folded):
        return None  # a day that was not offered
    hour = parse_time(text)
    number = _NUMBERED.search(folded)
    bare = number or (_answers_offer(folded) and _HOUR_NUMBER.search(folded))
    if hour is None and bare:  # a bare "10" is the 10:00 slot if one was offered, else the tenth option
        value = int(bare[1] or bare[2])
        for candidate in (time(value % 24), time((value + 12) % 24)) if value < 24 else ():
            if any(t == candidate for _, t in chosen):
                hour = candidate
                break
    if hour:
        chosen, filtered = [s for s in chosen if s[1] == hour], True
    part = None if hour else parse_part_of_day(text)
    if part:
        start, end = PARTS[part]
        chosen, filtered = [s for s in chosen if start <= s[1] < end], True
    if not chosen:
        return None
    if match := _ORDINAL.search(folded):
        index = _ORDINALS[match[1].lower()]
        return chosen[index] if index < len(chosen) else None
    if number and hour is None:
        index = int(number[1] or number[2]) - 1
        return chosen[index] if 0 <= index < len(chosen) else None
    if _LATEST.search(folded):
        return chosen[-1]
    if _EARLIEST.search(folded):
        return chosen[0]
    if len(chosen) == 1 and (filtered or _CONFIRM.search(folded)):
        return chosen[0]
    if hour and day is None:
        return chosen[0]  # "the 10:00 one" of a list over several days: the first day shown
    return None


# -- the student's own booking ----------------------------------------------------------

_MINE = _rx(r"\b(?:my|our|mi|mis|nuestra)\s+(?:advisor |admissions |asesoria )?(?:call|booking|appointment|meeting|"
            r"slot|reservation|session|video ?call|phone call|llamada|cita|reserva|reunion|videollamada|sesion|turno)\b"
            # ...but not an appointment elsewhere ("mi cita en la embajada", "my appointment at the bank")
            r"(?!\s+(?:\w+\s+)?(?:en|con|at|with|in|for|del|de la|de)\s+(?:la |el |the |a |an )?(?:embassy|consulate|"
            r"visa|doctor|dentist|bank|hospital|clinic|embajada|consulado|visado|medico|dentista|banco|hospital|"
            r"clinica|migracion|immigration))")
_IT = _rx(r"\b(?:it|that|that one|this one|esa|ese|esa hora|ese horario)\b|"
          r"\b(?:cancel|cambi|muev|mov|anul|reprogram|pas|aplaz|adelant)\w*(?:la|lo)\b")
_CANCEL = _rx(r"\b(?:cancel\w*|call off|calling off|drop|delete|remove|anul\w*|no (?:podre|voy a poder) (?:ir|asistir))\b|"
              r"\bya no (?:la |lo )?(?:necesito|quiero)\b")
_MOVE = _rx(r"\b(?:move|moving|change|changing|reschedule|rescheduling|push|postpone|rebook|bring forward|"
            r"can'?t make (?:it|that)|cambiar|cambia|cambiame|cambiala|mover|mueve|muevela|reprogramar|reprograma|"
            r"aplazar|aplaza|posponer|pospon|adelantar|adelanta|no puedo (?:ir|asistir))\b")
# "make it 2pm instead": these words move a booking only together with a new day or time.
_MOVE_TO = _rx(r"\b(?:make it|instead|rather|switch|shift|en vez|en lugar|mejor)\b")
_SHOW = _rx(r"\b(?:when|what time|what day|which day|what date|is|do i have|did|confirm\w*|still|details|"
            r"cuando|a que hora|que hora|que dia|tengo|sigue|confirma\w*|cual es)\b")
_WHAT_BOOKED = _rx(r"\b(?:what|when|which)(?: time| day| date)? (?:did|have) you (?:book|booked|schedule|put me)\b|"
                  r"\b(?:a que hora|que dia|para cuando|cuando) (?:me )?(?:reservaste|agendaste|has reservado|"
                  r"quedo|quedó)\b")
_DO_I_HAVE = _rx(r"\b(?:do i have|have i got|did i (?:book|get)|is there) (?:a |an |any )?(?:call|booking|appointment|"
                 r"meeting)\b|\btengo (?:una |alguna )?(?:llamada|cita|reserva|reunion)\b")
_ABOUT_CALLS = _rx(r"\bhow long\b|\bhow do\b|\bwho\b|\bcuanto dura\b|\bcomo\b|\bquien\b")


def own_booking(text, has_booking=False):
    """'show', 'cancel' or 'move' when the message is about the student's own booked call, else None.

    `has_booking` says the chat shows a booking notice, so "cancel it" needs no noun.
    """
    folded = _norm(text)
    mine = _MINE.search(folded) or (has_booking and _IT.search(folded))
    if _CANCEL.search(folded) and (mine or re.search(r"\b(?:the|la|el) (?:call|booking|appointment|llamada|cita|"
                                                     r"reserva)\b", folded)):
        return "cancel"
    if mine and (_MOVE.search(folded) or (_MOVE_TO.search(folded) and (
            parse_time(folded) or parse_date(folded, date.today()) or parse_part_of_day(folded)))):
        return "move"
    if _DO_I_HAVE.search(folded) or _WHAT_BOOKED.search(folded):
        return "show"
    if _MINE.search(folded) and not _ABOUT_CALLS.search(folded) and (_SHOW.search(folded)
                                                                    or len(folded.split()) <= 5):
        return "show"
    return None


# -- small talk -------------------------------------------------------------------------

_SMALL_TALK = [
    ("greeting", r"(?:hi+|hello+|hey+|hiya|howdy|yo|sup|what'?s up|wassup|greetings|good (?:morning|afternoon|evening|"
                 r"day)|hola+|buenas(?: tardes| noches| dias)?|buen dia|buenos dias|saludos|que tal|que onda|quiubo)"
                 r"(?: there| team| all| everyone| guys| folks| a todos)?"),
    ("how_are_you", r"(?:how are you(?: doing)?(?: today)?|how'?s it going|how are things|how do you do|como estas|"
                    r"como esta|como te va|que tal estas|como va(?: todo)?)"),
    ("who_are_you", r"(?:who are you|what are you|what (?:can|do) you do|how can you help(?: me)?|what can you help "
                    r"(?:me )?with|what can i ask(?: you)?|que (?:puedes|sabes) hacer|que haces|en que (?:me )?puedes "
                    r"ayudar(?:me)?|para que sirves|que te puedo preguntar|who am i (?:talking|speaking|chatting) (?:to|with)|(?:are you|am i "
                    r"(?:talking|speaking|chatting) (?:to|with)) (?:a |an )?(?:real |actual )?(?:human|person|bot|robot|"
                    r"ai|machine|chatbot)(?: or (?:a |an )?(?:real |actual )?(?:human|person|bot|robot|ai|machine))?|"
                    r"quien eres|que eres|con quien (?:hablo|estoy hablando)|(?:eres|estoy hablando con) (?:un |una )?"
                    r"(?:humano|humana|persona|bot|robot|maquina|ia)(?: real)?(?: o (?:un |una )?(?:humano|humana|"
                    r"persona|bot|robot|maquina|ia)(?: real)?)?)"),
    ("thanks", r"(?:thanks?(?: you)?(?: so much| very much| a lot| again| for (?:your|the) help)?|thx|ty|cheers|"
               r"much appreciated|appreciate it|(?:muchas |mil )?gracias(?: por (?:todo|tu ayuda|la ayuda|la informacion))?|"
               r"te lo agradezco)"),
    ("bye", r"(?:bye(?: bye)?|goodbye|good bye|see (?:you|ya)(?: later| soon)?|that'?s (?:all|it)(?: for now)?|"
            r"that is all|nothing else|no more questions|i'?m (?:done|good|all set)|all good|have a (?:nice|good|great) "
            r"(?:day|one|evening)|take care|adios|chao|chau|hasta (?:luego|pronto|manana)|nos vemos|eso es todo|"
            r"(?:eso )?(?:es|era|seria) todo|that (?:was|would be|'d be) all|nada mas|ya esta|que tengas (?:un )?buen dia)"),
    ("no", r"(?:no(?:pe)?(?: thanks| thank you| gracias)?)"),
    ("yes", r"(?:yes|yeah|yep|sure|si|claro|please|pls|por favor)(?: please| pls| por favor)?"),
    ("ack", r"(?:ok(?:ay)?|okey|great|perfect|cool|awesome|nice|got it|understood|sounds good|alright|all right|"
            r"fine|good|excellent|vale|perfecto|genial|entendido|de acuerdo|listo|bien|muy bien|excelente|dale|"
            r"lol|(?:ha){2,}h?|(?:ja){2,}|(?:je){2,}|xd)"),
]
# "ok, and housing?" opens with small talk; "fine arts?" and "good grades needed?" do not: one-word
# replies count as small talk only before punctuation or at the end.
_SMALL_TALK_RX = [(kind, _rx(r"\W*" + pattern + (r"(?:\s*[!.,;:?¡¿)(:-]+[\s!.,;:?¡¿)(:-]*|\s*$)"
                                                 if kind in ("no", "yes", "ack") else r"(?=\W|$)[\s!.,;:?¡¿)(:-]*")))
                  for kind, pattern in _SMALL_TALK]
# ...or before more small talk ("cool thanks, bye").
_BEFORE_MORE = [(kind, _rx(r"\W*" + pattern + r"\s+")) for kind, pattern in _SMALL_TALK if kind in ("no", "yes", "ack")]
_PRIORITY = ("bye", "who_are_you", "how_are_you", "thanks", "greeting", "no", "yes", "ack")


def _small_talk_at(folded, position):
    """(kind, end) of the small talk starting at `position`, or None."""
    for kind, pattern in _SMALL_TALK_RX:
        match = pattern.match(folded, position)
        if match and match.end() > position:
            return kind, match.end()
    for kind, pattern in _BEFORE_MORE:
        match = pattern.match(folded, position)
        if match and _small_talk_at(folded, match.end()):
            return kind, match.end()
    return None


def small_talk(text):
    """(kind, rest): the small talk the message opens with, and the rest of the message.

    A message that is only small talk gets (kind, ""); "hi, how much is tuition?" gets
    ("greeting", "how much is tuition?"), so the question is still answered.
    """
    folded = fold(text).replace("’", "'")
    if not re.search(r"\w", folded):  # "👍", "?", "..."
        return ("greeting" if "?" in folded else "ack"), ""
    kinds, position = [], 0
    while position < len(folded):
        found = _small_talk_at(folded, position)
        if not found:
            break
        kinds.append(found[0])
        position = found[1]
    if not kinds:
        return None, text
    rest = text[position:].strip()
    if rest:
        return kinds[0], rest
    return min(kinds, key=_PRIORITY.index), ""


# -- the question in a message ----------------------------------------------------------

_CLAUSES = re.compile(r"(?<=[.;!?])\s+|,\s+(?=¿?(?:so |but |and |y |pero )?(?:what|when|where|why|how|who|which|is|are|do|does|did|"
                      r"can|could|will|would|should|que|qué|cuando|cuándo|donde|dónde|como|cómo|cuanto|cuánto|cuál|"
                      r"cual|quien|quién|hay|puedo|pueden|alguien|me|se)\b)", re.I)
_ASKS = _rx(r"\?|^\W*(?:what|when|where|why|how|who|which|is|are|do|does|can|could|que|cuando|donde|como|cuanto|"
            r"cuanta|cual|quien|hay)\b")


def question_clause(text):
    """The clause of a message that asks something ("my flight lands at 3pm, do you pick people up?" ->
    "do you pick people up?"), or None when the message is one clause or asks nothing."""
    clauses = [c.strip() for c in _CLAUSES.split(text) if c and c.strip()]
    if len(clauses) < 2:
        return None
    asking = [c for c in clauses if _ASKS.search(fold(c))]
    return asking[-1] if asking else None


# -- contact details typed in the chat ------------------------------------------------------

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.U)
# International form only ("+53 5 123 4567", "+34-612-345-678"): a bare local number names no country.
_PHONE = re.compile(r"(?<![\w+])\+\d[\d\s().-]{5,18}\d")
_NAME_CUE = _rx(r"\b(?:i'?m|i am|my name is|my name'?s|name is|this is|call me|me llamo|mi nombre es|soy|"
                r"nombre:|name:)\s+")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*", re.U)
# Words that follow "I'm" / "soy" without being a name ("I'm from Brazil", "soy estudiante").
_NOT_NAME = {"a", "an", "the", "from", "in", "at", "interested", "looking", "writing", "here", "not", "so", "very",
             "trying", "student", "applying", "and", "my", "your", "email", "e", "mail", "phone", "whatsapp",
             "un", "una", "de", "del", "desde", "en", "estudiante", "interesado", "interesada", "y", "mi", "tu",
             "correo", "telefono", "muy", "aqui", "el", "la", "available", "free", "going", "sorry", "ok", "fine",
             "good", "great", "happy", "glad", "on", "with", "con", "por", "para", "it", "is", "es", "at"}
_NAME_STOP = _NOT_NAME | {"email", "correo", "phone", "telefono", "whatsapp", "number", "numero", "and", "y"}
_METHODS = [("whatsapp", _rx(r"\bwhats\s?app\b|\bwasap\b")),
            ("video", _rx(r"\bvideo\s?(?:call|llamada)?\b|\bvideollamada\b|\bzoom\b|\bmeet\b|\bjitsi\b")),
            ("phone", _rx(r"\bphone call\b|\bby phone\b|\bcall me\b|\bllamada telefonica\b|\bpor telefono\b|"
                          r"\bllamenme\b|\bllamame\b"))]


def contact_details(text):
    """Details a student typed ("I'm Ana Pérez, ana@example.com, +53 5 123 4567", "me llamo Ana, mi correo
    es ..."): {"email", "name" (or None), "phone" (or None), "method" (or None)}, or None without an e-mail."""
    email = _EMAIL.search(text)
    if not email:
        return None
    phone = _PHONE.search(text)
    folded = _norm(text)
    method = next((name for name, pattern in _METHODS if pattern.search(folded)), None)
    return {"email": email[0].rstrip("."), "name": _typed_name(text, email), "method": method,
            "phone": " ".join(phone[0].split()) if phone else None}


def _typed_name(text, email):
    """The name after a cue ("I'm", "me llamo"), or a name-like lead before the first comma."""
    for cue in _NAME_CUE.finditer(text):
        name = _name_words(text[cue.end():])
        if name:
            return name
    lead = text[:email.start()].split(",")[0].strip()
    if lead and not any(ch.isdigit() for ch in lead) and lead[:1].isupper():
        return _name_words(lead, whole=True)
    return None


def _name_words(text, whole=False):
    """Up to four name words at the start of `text` (None when the first is not a name)."""
    words = []
    for match in _NAME_WORD.finditer(text):
        gap = text[words[-1][1]:match.start()] if words else text[:match.start()]
        if gap.strip() or fold(match[0]) in _NAME_STOP or len(words) == 4:
            break
        words.append((match[0], match.end()))
    if not words or fold(words[0][0]) in _NOT_NAME:
        return None
    if whole and len(words) != len(_NAME_WORD.findall(text)):
        return None
    return " ".join(w for w, _ in words)


# -- the dialogue so far ----------------------------------------------------------------

_SLOT_LINE = re.compile(r"^•\s*(.+?):\s*(\d{1,2}:\d{2}(?:,\s*\d{1,2}:\d{2})*)\s*$", re.M)
_BOOKED_NOTICE = _rx(r"\bcall (?:booked|held) for\b|\breservad[ao]\b")
_CANCELLED_NOTICE = _rx(r"\bwas cancelled\b|\bcancelad[ao]\b|\bcancelled\b")


@dataclass
class DialogueState:
    """What the assistant needs from the chat so far: the slots it just offered, the student's earlier
    questions (for follow-ups), and whether a booking notice stands."""

    offered: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    booked: Optional[date] = None  # the day of the booked call, from the last booking notice
    has_booking: bool = False
    last_reply: str = ""  # the assistant's last message


def offered_slots(ai_text, today):
    """The (date, time) slots a slot list written by the assistant offered, in the order shown."""
    slots = []
    for label, times in _SLOT_LINE.findall(ai_text):
        day = parse_date(label, today)
        if day is None:
            continue
        for value in times.split(","):
            hour, minute = value.strip().split(":")
            slots.append((day, time(int(hour), int(minute))))
    return slots


def read_notice(state, text, today):
    """Update the state with a system notice of the chat: a booking made, moved or cancelled."""
    if _CANCELLED_NOTICE.search(text):
        state.has_booking, state.booked = False, None
    elif _BOOKED_NOTICE.search(text):
        state.has_booking, state.booked = True, parse_date(text, today)


def is_question_for_knowledge(text, today, offered=()):
    """True when no intent before retrieval claims the message: it is a question for the knowledge base."""
    kind, rest = small_talk(text)
    if kind and not rest:
        return False
    rest = rest or text
    mine = own_booking(rest)
    return not (wants_person(rest) or mine or booking_request(rest, today, offered, mine))

