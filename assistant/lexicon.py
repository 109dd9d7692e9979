"""The admissions lexicon: what students call the things admissions texts describe, in English
and Spanish. Written for universities in general (costs, housing, grades, tests, deadlines,
programmes, people), never for one knowledge base; a Spanish word here doubles as the glossary
that lets a Spanish question find an English passage.
"""
import re

from .text import fold, stem

# name: (slot, English words, Spanish words). The slot says what a follow-up replaces:
# "and for the PhD?" swaps the level, "what about the deadline?" swaps the attribute.
CONCEPTS = {
    "cost": ("attr", "cost costs price prices pricey expensive cheap cheaper costly afford affordable pay paying "
             "payment charge charges fee fees money spend dollars euros usd ~tuition",
             "costo costos coste cuesta cuestan precio precios caro cara barato barata pagar pago pagos cobran "
             "tarifa tarifas cuota cuotas dinero dolares euros ~matricula"),
    # Tuition is one kind of cost: asking for it should not pull every price of the file.
    "tuition": ("attr", "tuition tuitions", "matricula matriculas colegiatura arancel aranceles"),
    "process": ("attr", "process steps procedure how-to", "proceso pasos procedimiento tramite"),
    "intake": ("intake", "intake intakes semester semesters term terms session entry",
               "ingreso convocatoria semestre semestres periodo"),
    "deadline": ("attr", "deadline deadlines due close closes closing last cutoff cut-off latest date dates",
                 "plazo plazos limite fecha fechas cierre cierra vence vencimiento ultimo ultima hasta cuando"),
    # Hours are a workload ("24 hours per week") more often than how long something takes.
    "duration": ("attr", "long length duration years year semesters take takes last lasts months weeks minute "
                 "minutes ready processing",
                 "dura duran duracion tiempo anos ano semestres meses semanas tarda"),
    "language": ("attr", "language languages taught teach instruction medium english spanish",
                 "idioma idiomas lengua lenguas imparte imparten ensenanza ensena ingles espanol"),
    "requirement": ("attr", "requirement requirements require required requires need needed eligibility "
                    "eligible criteria prerequisite prerequisites qualify qualifications minimum entry",
                    "requisito requisitos requiere requieren necesito exigen exige minimo criterios"),
    "grade": ("attr", "gpa grade grades marks average score scores cgpa transcript transcripts",
              "promedio nota notas calificacion calificaciones expediente puntaje puntuacion"),
    "test": ("attr", "test tests exam exams ielts toefl duolingo sat gre gmat dele siele pte score",
             "examen examenes prueba pruebas"),
    "phone": ("attr", "phone telephone call number ring mobile cell whatsapp",
              "telefono llamar numero celular movil"),
    "email": ("attr", "email e-mail mail write address inbox", "correo email escribir electronico"),
    "contact": ("attr", "contact contacts reach ~email ~phone ~telephone ~address",
                "contacto contactar comunicarme comunicarse ~correo ~telefono ~direccion"),
    "address": ("attr", "address located location where office building find visit situated",
                "direccion ubicacion ubicado ubicada donde oficina edificio queda encuentra"),
    "hours": ("attr", "hours open opening times closed weekend weekends schedule",
              "horario horarios abierto abre cierra atencion"),
    "founded": ("attr", "founded established founding inaugurated",
                "fundada fundado fundacion creada inaugurada inaugurado"),
    "size": ("attr", "size enrolment enrollment enrolls population big large ~students ~people",
             "tamano cantidad matriculados numero ~estudiantes ~alumnos"),
    "pay": ("attr", "salary stipend wage wages earn paid", "sueldo salario estipendio ganan gana pagan"),
    "decision": ("attr", "decision decisions result results outcome response offer letter admitted accepted",
                 "decision decisiones resultado resultados respuesta admitido aceptado"),
    "undergraduate": ("level", "undergraduate undergrad undergraduates bachelor bachelors ba bsc degree first-degree",
                      "pregrado licenciatura licenciaturas grado carrera carreras"),
    "master": ("level", "master masters msc ma meng mba graduate postgraduate postgrad grad",
               "maestria maestrias master posgrado postgrado magister"),
    "phd": ("level", "phd phds doctorate doctoral dphil", "doctorado doctorados doctoral"),
    "international": ("audience", "international foreign foreigner foreigners overseas abroad non-resident noneu",
                      "internacional internacionales extranjero extranjeros extranjera"),
    "domestic": ("audience", "domestic local locals national nationals citizen citizens home eu eea",
                 "nacional nacionales local locales residente residentes ciudadano ciudadanos comunitario "
                 "comunitarios ue"),
    "fall": ("intake", "fall autumn september", "otono septiembre"),
    "spring": ("intake", "spring february january", "primavera febrero enero"),
    "early": ("round", "early earliest", "temprana temprano anticipada"),
    "regular": ("round", "regular normal standard ordinary", "regular ordinaria ordinario"),
    "single": ("room", "single private own", "individual privada sencilla"),
    "double": ("room", "double shared twin roommate", "doble compartida"),
    "program": ("subject", "program programs programme programmes course courses major majors degree degrees "
                "study studies subject subjects field fields discipline",
                "programa programas carrera carreras curso cursos estudiar estudios ofrecen ofrece titulo "
                "titulos especialidad"),
    "application": ("subject", "application applications apply applying applicant applicants portal form",
                    "solicitud solicitudes aplicar solicitar postular "
                    "postulacion inscripcion inscribirse inscribir formulario portal"),
    "housing": ("subject", "housing accommodation accommodations dorm dorms dormitory dormitories residence "
                "residences hall halls room rooms live living stay lodging rent apartment flat",
                "alojamiento vivienda residencia residencias habitacion habitaciones cuarto dormitorio vivir "
                "alquiler apartamento piso hospedaje"),
    "scholarship": ("subject", "scholarship scholarships bursary bursaries grant grants aid funding financial "
                    "afford poor money need-based "
                    "waiver discount assistantship",
                    "beca becas ayuda ayudas financiera financiamiento subvencion descuento"),
    "visa": ("subject", "visa visas permit immigration embassy consulate", "visa visado visados permiso "
             "embajada consulado migracion"),
    "insurance": ("subject", "insurance medical health coverage", "seguro medico salud cobertura"),
    "meal": ("subject", "meal meals food dining cafeteria canteen eat", "comida comidas comedor cafeteria "
             "alimentacion comer"),
    "sport": ("subject", "sport sports gym fitness pool swimming stadium athletics", "deporte deportes gimnasio "
              "piscina estadio"),
    "library": ("subject", "library libraries books", "biblioteca bibliotecas libros"),
    "transfer": ("subject", "transfer credits credit", "transferir transferencia creditos convalidar"),
    "deposit": ("subject", "deposit confirm place seat", "deposito confirmar plaza"),
    "advisor": ("subject", "advisor adviser counselor counsellor staff", "asesor asesora consejero"),
    "work": ("subject", "work working job jobs employment employed part-time", "trabajo trabajar empleo"),
    "internship": ("subject", "internship internships co-op coop placement placements practicum work-term",
                   "practicas pasantia pasantias"),
    "parking": ("subject", "parking park car cars", "estacionamiento aparcamiento parqueo coche carro"),
    # The rest of an admissions FAQ's usual topics, from a checklist of what applicants ask.
    "location": ("attr", "located location situated where city campus based address",
                 "ubicado ubicada ubicados ubicacion situado situada donde ciudad campus sede direccion"),
    "funds": ("subject", "funds fund proof bank savings support sufficient means sponsor",
              "fondos solvencia economica demostrar extracto bancario ahorros sustento patrocinador"),
    "deferral": ("subject", "defer deferral deferring deferred postpone postponing delay",
                 "aplazar aplazamiento aplazo diferir posponer postergar retrasar"),
    "validity": ("attr", "valid validity expire expires expired expiry expiration old older recent",
                 "validez valido valida vigente vigencia caduca caducan antiguedad"),
    "pathway": ("subject", "pathway pathways foundation conditional conditionally bridge bridging "
                "preparatory alternative",
                "condicional condicionada puente preparatorio preparatoria alternativa"),
    "start": ("attr", "start starts starting begin begins beginning commence",
              "empiezan empieza empezar comienzan comienza comienzo inicio inician"),
    "documents": ("subject", "documents document papers paperwork upload uploads passport",
                  "documentos documento documentacion papeles papeleo certificado certificados pasaporte"),
    "interview": ("subject", "interview interviews interviewed", "entrevista entrevistas"),
    "accreditation": ("subject", "accredited accreditation accreditations accreditor recognised recognized",
                      "acreditada acreditado acreditacion reconocida reconocido oficial oficiales"),
    "ranking": ("subject", "ranking rankings ranked rank reputation", "ranking clasificacion puesto prestigio"),
    "class": ("subject", "class classes section sections lecture lectures", "clase clases grupo grupos"),
    "graduation": ("subject", "graduation graduates graduated graduating completion",
                   "graduacion graduan graduados titulacion terminan"),
    "clubs": ("subject", "club clubs society societies activities extracurricular associations",
              "club clubes asociaciones actividades extracurriculares"),
    "assistantship": ("subject", "assistantship assistantships assistant assistants", "ayudantia ayudantias "
                      "ayudante ayudantes asistente asistentes"),
    "pickup": ("subject", "pickup pick-up airport arrival shuttle",
               "recogida recoger recogen aeropuerto llegada traslado"),
}

# Fields of study: a word of these names a programme, so "do you have law?" is a programme question
# even where the knowledge base never says the word.
FIELDS = set("""medicine law architecture engineering nursing dentistry pharmacy veterinary psychology
biology chemistry physics mathematics economics business management accounting finance marketing
history philosophy music art arts design fashion journalism education tourism hospitality agronomy
agriculture geology astronomy linguistics literature translation theology anthropology sociology
politics political science sciences computing informatics cybersecurity statistics nutrition dietetics
physiotherapy optometry midwifery aviation pilot robotics biotechnology neuroscience marine oceanography
criminology forensic film theatre theater dance sports kinesiology medicina derecho arquitectura
ingenieria enfermeria odontologia farmacia veterinaria psicologia biologia quimica fisica matematicas
economia administracion contabilidad finanzas historia filosofia musica arte diseno moda periodismo
educacion turismo hoteleria agronomia literatura traduccion sociologia nutricion fisioterapia
criminologia cine teatro danza deportes""".split())

# Words the glossary translates one to one (Spanish -> English), beyond the concepts above.
GLOSSARY = {
    # The words of the concepts above, one to one, so a translation outranks its neighbours.
    "direccion": "address", "correo": "email", "telefono": "phone", "horario": "hours", "precio": "price",
    "costo": "cost", "coste": "cost", "plazo": "deadline", "beca": "scholarship", "becas": "scholarships",
    "requisito": "requirement", "requisitos": "requirements", "puntaje": "score", "puntuacion": "score",
    "nota": "grade", "notas": "grades", "promedio": "average", "matricula": "tuition", "alojamiento": "housing",
    "vivienda": "housing", "residencia": "residence", "residencias": "residences", "habitacion": "room",
    "maestria": "master", "maestrias": "masters", "doctorado": "phd", "licenciatura": "bachelor",
    "licenciaturas": "bachelors", "pregrado": "undergraduate", "posgrado": "graduate", "solicitud": "application",
    "deposito": "deposit", "seguro": "insurance", "visado": "visa", "cuota": "fee", "cuotas": "fees",
    "tarifa": "fee", "idioma": "language", "ingles": "english", "espanol": "spanish", "examen": "test",
    "prueba": "test", "plazas": "seats", "cupo": "seat", "comida": "meal", "comidas": "meals",
    "alquiler": "rent", "contrato": "lease", "duracion": "duration", "dura": "takes", "fundada": "founded",
    "internacional": "international", "internacionales": "international", "extranjeros": "international",
    "nacionales": "domestic", "otono": "fall", "primavera": "spring", "septiembre": "september",
    "enero": "january", "febrero": "february", "marzo": "march", "abril": "april", "mayo": "may",
    "junio": "june", "julio": "july", "agosto": "august", "octubre": "october", "noviembre": "november",
    "diciembre": "december", "beneficio": "benefit", "reembolsan": "refund", "devuelven": "refund",
    "recogida": "pickup",
    "medicina": "medicine", "ingenieria": "engineering", "informatica": "computer", "computacion": "computer",
    "ciencias": "science", "ciencia": "science", "datos": "data", "negocios": "business",
    "administracion": "administration", "empresas": "business", "economia": "economics",
    "enfermeria": "nursing", "farmacia": "pharmacy", "arquitectura": "architecture", "historia": "history",
    "musica": "music", "biologia": "biology", "marina": "marine", "quimica": "chemistry", "fisica": "physics",
    "matematicas": "mathematics", "matematica": "mathematics", "turismo": "tourism", "derecho": "law",
    "psicologia": "psychology", "salud": "health", "publica": "public", "civil": "civil",
    "electrica": "electrical", "mecanica": "mechanical", "software": "software", "literatura": "literature",
    "comercio": "trade", "finanzas": "finance", "contabilidad": "accounting", "odontologia": "dentistry",
    "veterinaria": "veterinary", "periodismo": "journalism", "arte": "art", "artes": "arts",
    "campus": "campus", "clases": "classes", "clase": "classes", "empiezan": "start", "empieza": "start",
    "comienzan": "start", "inicio": "start", "llegar": "arrive", "llegada": "arrival", "aeropuerto": "airport",
    "orientacion": "orientation", "clubes": "clubs", "club": "clubs", "vida": "life", "estudiantil": "student",
    "semestre": "semester", "semestres": "semesters", "creditos": "credits", "tesis": "thesis",
    "carta": "letter", "cartas": "letters", "recomendacion": "recommendation", "pasaporte": "passport",
    "ensayo": "statement", "entrevista": "interview", "experiencia": "experience", "laboral": "work",
    "trabajo": "work", "diploma": "diploma", "bachillerato": "high", "secundaria": "secondary",
    "decision": "decision", "decisiones": "decisions", "resultado": "results", "resultados": "results",
    "aplazar": "defer", "diferir": "defer", "aplazamiento": "deferral", "estado": "status",
    "reembolsable": "refundable", "reembolso": "refundable", "mensual": "monthly", "mes": "month",
    "semanal": "week", "estipendio": "stipend", "llamada": "call", "llamadas": "call", "asesoria": "advisor",
    "recoger": "pickup", "transporte": "pickup", "invierno": "winter", "verano": "summer", "fundo": "founded",
    "diseno": "design", "moda": "fashion", "grafico": "graphic", "interiores": "interior", "juegos": "game",
    "videojuegos": "game", "ambiental": "environmental", "ambiente": "environment", "agua": "water",
    "hidricos": "water", "recursos": "resources", "ciberseguridad": "cybersecurity", "gestion": "management",
    "proyectos": "project", "suministro": "supply", "cadena": "chain", "hoteleria": "hospitality",
    "hospitalidad": "hospitality", "educacion": "education", "infantil": "childhood", "tecnologia": "technology",
    "analitica": "analytics", "estadistica": "statistics", "energia": "energy", "renovable": "renewable",
    "renovables": "renewable", "construccion": "construction", "clima": "climate", "aplicada": "applied",
    "aplicadas": "applied", "aplicado": "applied", "filosofia": "philosophy", "sociologia": "sociology",
    "politicas": "political", "relaciones": "relations", "deportiva": "sports", "deportivo": "sports",
    "dentista": "dentistry", "agronomia": "agronomy", "traduccion": "translation", "frances": "french",
    "admisiones": "admissions", "admision": "admission", "ano": "year", "anos": "years", "semana": "week",
    "semanas": "weeks", "meses": "months", "oficina": "office", "asistente": "assistant",
    "asistentes": "assistants", "investigacion": "research",
    "pequenas": "small", "pequenos": "small", "alumnos": "students", "tarda": "takes", "tardan": "takes",
    "ayudantia": "assistantship", "ayudantias": "assistantships",
    "aleman": "german", "permiso": "permit", "estudio": "study", "trabajar": "work", "horas": "hours",
}

_ABBREVIATIONS = {
    "yr": "year", "yrs": "years", "wat": "what", "wen": "when", "u": "you", "ur": "your", "uni": "university",
    "univ": "university", "intl": "international", "int'l": "international", "req": "requirement",
    "reqs": "requirements", "app": "application", "apps": "applications", "sem": "semester",
    "sems": "semesters", "dept": "department", "prog": "program", "progs": "programs", "approx": "about",
    "wats": "whats", "watz": "whats", "im": "i am",
    "tmrw": "tomorrow", "pls": "please", "plz": "please", "thx": "thanks", "info": "information",
    "accom": "accommodation", "accomm": "accommodation", "schol": "scholarship", "fin": "financial",
    "sched": "schedule", "bc": "because", "cs": "computer science", "compsci": "computer science",
    "comp": "computer", "ds": "data science", "eng": "engineering", "econ": "economics", "bio": "biology",
    "chem": "chemistry", "phys": "physics", "math": "mathematics", "maths": "mathematics", "med": "medicine",
    "admin": "administration", "biz": "business", "mins": "minutes", "hrs": "hours", "tel": "phone",
    "no.": "number", "num": "number", "addr": "address", "docs": "documents", "doc": "document",
    "r": "are", "ppl": "people", "thru": "through", "avg": "average", "min": "minimum", "max": "maximum",
    "ta": "teaching assistant", "tas": "teaching assistants", "ra": "research assistant",
    "ras": "research assistants", "wanna": "want", "gonna": "going", "ya": "you", "abt": "about", "q": "que",
    "xq": "porque", "pq": "porque", "tb": "tambien", "tmb": "tambien",
    "hw": "how", "wht": "what", "whn": "when", "wher": "where", "cuz": "because", "coz": "because",
    "b4": "before", "dunno": "do not know", "idk": "i do not know", "k": "que", "xa": "para", "pa": "para",
    "porfa": "por favor", "xfa": "por favor", "dnd": "donde", "cdo": "cuando", "depa": "departamento",
    "profe": "profesor", "profes": "profesores", "postgrad": "postgraduate", "undergrad": "undergraduate",
}
# Phrases that ask for a concept without naming it ("how much" is a price, "cuánto cuesta" too).
_PHRASES = [
    (re.compile(r"\bhow much\b(?! (time|longer))|\bcuanto (cuesta|cuestan|vale|valen|sale|salen|cobran|es|son|"
                r"hay que pagar)\b"),
     "cost"),
    (re.compile(r"\bhow long\b|\bcuanto (tiempo|dura|duran|tarda)\b"), "duration"),
    (re.compile(r"\bwhen (did|was)\b.*\b(open|start|found|establish|creat|built)|\bhow old\b|"
                r"\bcuando (se )?(fundo|abrio|creo|empezo)\b"), "founded"),
    (re.compile(r"\be-?mail address\b|\bcorreo electronico\b|\bdireccion de correo\b"), "email"),
    (re.compile(r"\bhear back\b|\bhear from (you|u)\b|\bget (an? )?(answer|response|decision|reply)\b|"
                r"\b(cuando|cuanto tarda[n]?) .*\b(respuesta|resultado|decision)\b"), "decision"),
    (re.compile(r"\bget in touch\b|\bponerme en contacto\b|\bcomunicarme con\b"), "contact"),
    (re.compile(r"\bhow many (students|people)\b|\bhow big\b|\bcuant[oa]s (estudiantes|alumnos|personas)\b"), "size"),
    (re.compile(r"\blast day\b|\bby when\b|\bwhen (do|should|must|can) (i|we) (apply|submit|send)\b|"
                r"\bultimo dia\b|\bhasta cuando\b|\bcuando (hay que|debo|tengo que|se debe)\b"), "deadline"),
    (re.compile(r"\bwhat (do|does|would) (i|you|one|someone) need( to (apply|get in|enrol|enroll))?\b|"
                r"\b(do|does) (i|you|one) need\b|\bwhat does it take\b|\bget (in|into)\b|"
                r"\bbe admitted\b|\bque (necesito|se necesita|hace falta|piden)\b|\bpara entrar\b"), "requirement"),
    (re.compile(r"\bhow (do|can|should|would) (i|we|you|one) (apply|enrol|enroll|register|sign up)|"
                r"\bhow to (apply|enrol|enroll|register)|\bcomo (me )?(postulo|aplico|solicito|inscribo)"), "process"),
    (re.compile(r"\bwhere (is|are)\b|\bdonde (esta|estan|queda|quedan|se encuentra)\b"), "location"),
    (re.compile(r"\b(taught |teach |given )?in (english|spanish|french)\b|"
                r"\b(se (da|dan|imparte|imparten|dicta|dictan|ensena|ensenan) )?en (ingles|espanol|frances)\b"),
     "language"),
]

_WORD_CONCEPTS = {}
for _name, (_slot, _en, _es) in CONCEPTS.items():
    for _word in (_en + " " + _es).split():
        if not _word.startswith("~"):  # "~tuition": cost reaches tuition, tuition does not reach cost
            _WORD_CONCEPTS.setdefault(fold(_word), []).append(_name)


# Everyday phrasings rewritten into the words admissions texts use ("cost to apply" is the
# application fee). Applied after abbreviations, on text whose accents are still there.
_REWRITES = [
    (r"^\W*(?:one more|another|a quick|quick|last|one last|a) question\W*|"
     r"^\W*(?:otra|una|ultima|última) pregunta\W*", ""),
    (r"\b(?:cost|costs|price|pay|charge|money|fee)s? (?:to|for) (?:apply|applying|submit\w*)( an? application)?\b|"
     r"\bapply(?:ing)? (?:cost|costs|price)\b", "application fee"),
    (r"\bcu[aá]nto (?:cuesta|cobran|vale|sale|hay que pagar) (?:por )?(?:postular|aplicar|solicitar|inscribirse)\b",
     "tarifa de solicitud"),
    (r"\b(?:hear|heard) back\b|\bwhen (?:will|do|would|can) (?:i|we) (?:know|find out)\b|\bfind out if\b|"
     r"\b(?:if|whether) (?:i|i've|i have|we) (?:got|get|gotten|been|was|am) (?:in|into|accepted|admitted)\b(?! touch)|"
     r"\bgot (?:in|accepted|admitted)\b(?! touch)", "decision"),
    (r"\bcu[aá]ndo (?:me |nos )?(?:van a |vais a )?(?:responder|responden|contestan|contestar|avisan|avisar|"
     r"dicen|decir)\b|\bcu[aá]ndo (?:sabr[eé]|me entero)\b", "decisión respuesta"),
    (r"\bpart[- ]?time (?:job|jobs|work)\b|"
     r"\b(?:a )?(?:job|jobs) (?:while|during|and) (?:studying|study|school|classes)\b|"
     r"\bwork (?:while|during|and) (?:studying|study|i study|school|my studies)\b", "work while studying"),
    (r"\btrabajar (?:mientras|y) (?:estudio|estudias|estudiar|curso)\b|\btrabajo de medio tiempo\b|"
     r"\btrabajo a tiempo parcial\b", "trabajar"),
    (r"\b(?:money|cash|funds|savings) (?:\w+ ){0,4}(?:show|prove|have in (?:the|my) bank)\b|"
     r"\bshow (?:\w+ ){0,2}(?:money|funds|cash)\b|\bhow rich\b", "proof of funds"),
    (r"\b(?:dinero|plata|fondos) (?:\w+ ){0,4}(?:demostrar|mostrar|tener en el banco)\b|"
     r"\b(?:demostrar|mostrar) (?:\w+ ){0,2}(?:dinero|fondos|solvencia)\b", "demostrar fondos"),
    (r"\b(?:push|move|put) (?:\w+ ){0,4}back\b|\bstart (?:\w+ ){0,2}(?:later|next year|next semester)\b",
     "defer"),
    (r"\b(?:empezar|comenzar|entrar) (?:\w+ ){0,2}(?:m[aá]s tarde|el (?:a[nñ]o|semestre) (?:que viene|siguiente))\b",
     "aplazar"),
    (r"\bhow long (?:is|are|will|does|do) (?:\w+ ){0,3}(?:valid|good|last)\b|\bhow old can\b", "validity valid"),
    (r"\b(?:another|other|alternative|different|any other) (?:way|route|path|option)s?(?: in| to get in)?\b|"
     r"\b(?:too low|not high enough|don'?t meet|do not meet|below the (?:minimum|requirement))\b",
     "alternative pathway conditional"),
    (r"\botra (?:forma|manera|v[ií]a|opci[oó]n) de (?:entrar|ingresar)\b|"
     r"\b(?:muy|demasiado) bajo\b|\bno (?:alcanzo|llego al?) (?:el )?(?:m[ií]nimo|puntaje)\b",
     "alternativa condicional"),
    (r"\b(?:get|gets|getting) paid\b|\bpaid to (?:study|research)\b|\bearn money\b", "stipend salary"),
    (r"\b(?:reciben|recibe|tienen|cobran) (?:un |una )?(?:sueldo|salario|pago|estipendio)\b|\bles pagan\b",
     "estipendio sueldo"),
    (r"\bhow (?:many )?(?:people|students|ppl|kids) (?:study|studies|go|attend|are (?:there|enrolled|studying))\b|"
     r"\bhow many (?:people|students|ppl)\b|\bhow (?:big|large) is (?:the |your |this )?"
     r"(?:uni|university|college|school|campus|institution|place)\b|\bhow big\b", "how many students"),
    (r"\bcu[aá]nt[oa]s? (?:personas|gente|estudiantes|alumnos) (?:estudian|hay|tiene|van)\b|"
     r"\bqu[eé] tan grande\b|\bcu[aá]n grande\b", "cuántos estudiantes"),
    (r"\bhow (?:big|large|small) (?:are|is) (?:the )?class(?:es)?\b|\bclass(?:es)? sizes?\b|"
     r"\bstudents (?:per|in a|in each) class\b", "class size small students"),
    (r"\bwhat time (?:do|does|are|is) (?:you|u|the office|admissions|it) (?:open|close|available)\b|"
     r"\bwhen (?:are|r) (?:you|u|the office|admissions) open\b", "office hours"),
    (r"\b(?:en )?qu[eé] horarios? (?:atienden|abren|trabajan|tienen|atiende|abre)\b|"
     r"\ba qu[eé] hora (?:abren|cierran|atienden|abre|cierra|atiende)\b", "horario de la oficina"),
    (r"\bwhat (?:documents|docs|papers|paperwork) (?:do|does|will|would|should) (?:i|we|you|one) "
     r"(?:need|submit|send|upload)\b|"
     r"\bwhich (?:documents|docs|papers) (?:are|r) (?:needed|required)\b", "required documents"),
    (r"\bqu[eé] (?:documentos|papeles) (?:necesito|piden|hay que (?:enviar|subir|presentar)|se necesitan)\b",
     "documentos requisitos"),
    (r"\bde qu[eé] tama[nñ]o son (?:las )?clases\b|\btama[nñ]o de (?:las )?clases\b|"
     r"\bcu[aá]ntos (?:alumnos|estudiantes) (?:hay )?(?:por|en cada) clase\b", "tamaño clases pequeñas alumnos"),
    (r"\ben qu[eé] (?:idioma|lengua) (?:son|se dan|se imparten|imparten|dan|ensenan|enseñan) (?:las )?"
     r"(?:clases|cursos|programas|carreras)\b", "idioma de enseñanza"),
    (r"\bwhat language (?:are|is) (?:the )?(?:classes|courses|programs?|programmes?|lectures|teaching)\b|"
     r"\blanguage of (?:instruction|teaching)\b", "language taught"),
    (r"\bwhen (?:does|do|will|did) (?:the )?(?:semester|term|classes|class|school|program|programme|course|"
     r"year|academic year|studies) (?:start|begin|commence)\b|\bfirst day of (?:class|classes|school)\b",
     "classes start"),
    (r"\bcu[aá]ndo (?:empiezan|empieza|comienzan|comienza|inician|inicia) (?:las |el |los )?"
     r"(?:clases|semestre|curso|a[nñ]o)\b", "inicio clases"),
]
_REWRITE = [(re.compile(pattern, re.I), words) for pattern, words in _REWRITES]


def expand_abbreviations(text):
    """The question with students' short forms written out ("tuition per yr" -> "tuition per year")
    and everyday phrasings in admissions words ("hear back" -> "decision")."""
    text = re.sub(r"\$\$+", " money ", text)
    text = re.sub(r"[\w'.]+", lambda m: _ABBREVIATIONS.get(m.group(0).lower(), m.group(0)), text)
    for pattern, words in _REWRITE:
        text = pattern.sub(words, text)
    return text


def concepts_of(word):
    """Names of the concepts a folded word belongs to ("internationals" as "international")."""
    found = _WORD_CONCEPTS.get(word)
    if found is None and word.endswith("s") and len(word) > 4:
        found = _WORD_CONCEPTS.get(word[:-1]) or (_WORD_CONCEPTS.get(word[:-2]) if word.endswith("es") else None)
    return found or []


def phrase_concepts(folded_text):
    """Concepts asked for by phrases rather than words."""
    return [name for name, _span in phrase_spans(folded_text)]


def phrase_spans(folded_text):
    """(concept, (start, end)) for each phrase that asks for a concept; its words say nothing else."""
    found = []
    for pattern, name in _PHRASES:
        match = pattern.search(folded_text)
        if match:
            found.append((name, match.span()))
    return found


def slot_of(word):
    """What a word names in a question: attr, level, audience, intake, round, room, subject."""
    names = concepts_of(word)
    return CONCEPTS[names[0]][0] if names else "subject"


def concept_stems(name, lang):
    """Stems of every word of a concept in both languages (the index holds one of them), each with
    its weight when the concept itself is asked: a narrower "~" word counts less."""
    _slot, en, es = CONCEPTS[name]
    weights = {}
    for word in (en + " " + es).split():
        s = stem(fold(word.lstrip("~")), lang)
        weights[s] = max(weights.get(s, 0), 0.6 if word.startswith("~") else 1.0)
    return weights


def translate(word):
    """An English word for a Spanish one, when the glossary has it."""
    return GLOSSARY.get(word)


# Pairs a comparison contrasts when only one side is named ("how much more do international
# students pay?" compares with domestic students).
CONTRASTS = [("international", "domestic"), ("undergraduate", "master"), ("master", "phd"),
             ("fall", "spring"), ("early", "regular"), ("single", "double")]
