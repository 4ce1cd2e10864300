"""Small concept lexicons for the injection detector: words per concept, in English, German, French and
Spanish. No entry is an attack on its own; `injection.py` combines concepts by structure (a directive in
the imperative, aimed at the system, near a noun for an AI, in hidden or role-marked text).

Entries are written naturally and folded (lower case, no accents) when compiled. A trailing `*` means
"this stem and any ending" (inflected verbs and nouns); spaces match any run of whitespace.
"""

# Nouns for an AI system. Strong ones mean a machine on their own; weak ones ("assistant", "model")
# only count as the addressee when the sentence's frame makes them one.
AI_STRONG = {
    "en": ["outreach model*", "outreach agent*", "outreach assistant*", "outreach bot*", "outreach writer*",
           "writing model*", "drafting agent*", "research agent*", "email agent*", "email model*", "sales bot*",
           "automated writer*", "automatic writer*", "writing assistant*", "email assistant*", "email bot*", "ai",
           "a.i.", "llm*", "chatgpt", "gpt*", "claude", "gemini", "copilot", "chatbot*", "language model*",
           "ai model*", "ai assistant*", "ai agent*", "ai writer*", "ai system*", "virtual assistant*",
           "automated assistant*", "automated agent*", "automated system*", "sales ai", "sdr bot*"],
    "de": ["outreach-modell*", "outreach-agent*", "schreibmodell*", "e-mail-assistent*", "e-mail-agent*",
           "vertriebsbot*", "automatische* texter*", "automatische* schreib*", "schreibassistent*", "ki-texter*",
           "ki", "k.i.", "sprachmodell*", "chatbot*", "ki assistent*", "ki modell*", "ki agent*", "ki system*",
           "virtuelle* assistent*"],
    "fr": ["modele* de prospection", "agent* de prospection", "assistant* de prospection", "agent* de redaction",
           "redacteur* automatique*", "redactrice* automatique*", "assistant* de redaction", "robot* redacteur*",
           "ia", "i.a.", "modele* de langage", "modele* d'ia", "assistant* ia", "assistant* d'ia", "agent* ia",
           "agent* d'ia", "robot* conversationnel*", "assistant* virtuel*", "intelligence artificielle"],
    "es": ["modelo* de prospeccion", "agente* de prospeccion", "asistente* de prospeccion", "agente* de redaccion",
           "redactor* automatico*", "redactora* automatica*", "asistente* de redaccion", "robot* redactor*", "ia",
           "i.a.", "modelo* de lenguaje", "modelo* de ia", "asistente* de ia", "asistente* ia", "agente* de ia",
           "agente* ia", "asistente* virtual*", "inteligencia artificial"],
}  # fmt: skip
AI_WEAK = {
    "en": ["assistant*", "agent*", "model*", "bot*", "writer*", "copywriter*", "system", "robot*", "automation"],
    "de": ["assistent*", "agent*", "modell*", "bot*", "schreiber*", "texter*", "system*", "roboter*"],
    "fr": ["assistant*", "agent*", "modele*", "bot*", "redacteur*", "redactrice*", "systeme*", "robot*"],
    "es": ["asistente*", "agente*", "modelo*", "bot*", "redactor*", "redactora*", "sistema*", "robot*"],
}  # fmt: skip

# Words that open an address to someone ("note to …", "dear …", "attention …").
ADDRESS_CUES = {
    "en": ["p.s.", "ps", "fyi", "quick favour for", "quick favor for", "favour for", "favor for", "note to",
           "notes to", "note for", "message to", "message for", "memo to", "memo for", "reminder to",
           "reminder for", "instructions for", "instruction for", "instructions to", "attention", "attn", "dear",
           "hey", "hi", "hello", "p.s. to", "ps to", "to", "for"],
    "de": ["sehr geehrte*", "geehrte*", "hinweis an", "hinweis fur", "nachricht an", "nachricht fur", "notiz an",
           "notiz fur", "anweisung an", "anweisungen an", "anweisung fur", "anweisungen fur", "achtung", "liebe",
           "lieber", "liebes", "hallo", "hey", "an", "fur"],
    "fr": ["texte pour", "texte a", "texte a l'attention de", "note a", "note aux", "note au", "note pour",
           "message a", "message aux", "message au", "message pour", "rappel a", "rappel au", "rappel pour",
           "consigne pour", "consignes pour", "a l'attention de", "a l'attention du", "a l'attention des",
           "attention", "cher", "chere", "bonjour", "salut", "a", "au", "aux", "pour"],
    "es": ["estimado", "estimada", "nota para", "nota a", "nota al", "mensaje para", "mensaje a", "mensaje al",
           "aviso para", "aviso al", "aviso a", "recordatorio para", "instrucciones para", "atencion", "querido",
           "querida", "hola", "para", "a", "al"],
}  # fmt: skip
# Bare prepositions address someone only when the addressee is then described ("to the AI reading this").
WEAK_ADDRESS_CUES = {"to", "for", "an", "fur", "a", "au", "aux", "pour", "para", "al"}

DETERMINERS = {
    "en": ["the", "any", "all", "every", "each", "our", "this", "a", "an", "dear"],
    "de": ["der", "die", "das", "den", "dem", "des", "jede*", "alle", "alle*", "ein", "eine*", "unser*", "lieb*"],
    "fr": ["le", "la", "l'", "les", "tout", "toute*", "tous", "chaque", "un", "une", "cher", "chere"],
    "es": ["el", "la", "los", "las", "cualquier", "todo*", "toda*", "cada", "un", "una", "querido*"],
}  # fmt: skip

# What follows an addressee that is being described: "the AI reading this", "der KI, die …".
ADDRESSEE_DESCRIBED = {
    "en": ["reading*", "writing*", "drafting*", "processing*", "handling*", "parsing*", "summari*ing",
           "generating*", "who", "that", "which", "working on"],
    "de": ["der", "die", "das", "welche*", "die*", "das*", "liest", "schreibt"],
    "fr": ["qui", "que", "lisant", "redigeant", "traitant", "ecrivant", "generant"],
    "es": ["que", "quien", "leyendo", "escribiendo", "procesando", "redactando", "generando"],
}  # fmt: skip

# "If you are an AI …", "if this is read by …".
CONDITIONAL_IDENTITY = {
    "en": ["if you are", "if you're", "if you happen to be", "in case you are", "if this is read by",
           "if this is being read by", "if you are reading this as", "should you be"],
    "de": ["falls du", "falls sie", "wenn du", "wenn sie", "solltest du", "sollten sie", "falls dies von",
           "wenn dies von"],
    "fr": ["si vous etes", "si tu es", "si ce message est lu par", "si ce texte est lu par", "au cas ou vous seriez"],
    "es": ["si eres", "si es usted", "si usted es", "si este mensaje lo lee", "si esto lo lee",
           "en caso de que seas"],
}  # fmt: skip

# "You are now …", "act as …": giving the reader a new role.
ROLE_REASSIGNMENT = {
    "en": ["you are now", "you're now", "from now on you are", "from now on, you are", "you will now act",
           "you will act as", "act as", "pretend to be", "pretend you are", "behave as", "you have been upgraded"],
    "de": ["du bist jetzt", "du bist nun", "du bist ab sofort", "sie sind jetzt", "sie sind nun",
           "sie sind ab sofort", "ab sofort bist du", "ab sofort sind sie", "agiere als", "handle als", "tu so als"],
    "fr": ["tu es maintenant", "tu es desormais", "vous etes maintenant", "vous etes desormais", "desormais tu es",
           "desormais vous etes", "agis comme", "agissez comme", "fais comme si", "faites comme si",
           "comporte-toi comme", "comportez-vous comme"],
    "es": ["ahora eres", "ahora es usted", "a partir de ahora eres", "a partir de ahora es", "desde ahora eres",
           "actua como", "actue como", "finge ser", "finja ser"],
}  # fmt: skip
# New roles and modes an attacker hands the reader.
ROLE_NOUNS = {
    "en": ["mode", "admin*", "administrator*", "developer*", "root", "superuser", "dan", "jailbr*", "unrestricted",
           "unfiltered", "god", "debug", "maintenance mode", "operator*"],
    "de": ["modus", "admin*", "administrator*", "entwickler*", "root", "superuser", "uneingeschrankt*",
           "ungefiltert*", "debug*", "wartungsmodus", "betreiber*"],
    "fr": ["mode", "admin*", "administrateur*", "administratrice*", "developpeur*", "root", "superutilisateur",
           "sans restriction*", "sans filtre", "debogage", "operateur*"],
    "es": ["modo", "admin*", "administrador*", "desarrollador*", "root", "superusuario", "sin restricciones",
           "sin filtro*", "depuracion", "operador*"],
}  # fmt: skip

# Who is addressed as the one writing or reading our emails: "whoever writes these emails".
RELATIVE = {
    "en": ["whoever", "whatever", "who", "that", "which", "the one"],
    "de": ["wer", "der", "die", "das", "welche*"],
    "fr": ["qui", "quiconque", "celui qui", "celle qui"],
    "es": ["quien", "quienquiera", "que", "el que", "la que"],
}  # fmt: skip
WRITING_VERBS = {
    "en": ["write*", "writing", "draft*", "generat*", "compos*", "read*", "process*", "send*", "automat*"],
    "de": ["schreib*", "verfass*", "erstell*", "generier*", "lies*", "liest", "verarbeit*", "versend*", "sendet"],
    "fr": ["redig*", "ecri*", "gener*", "compos*", "lit", "lisent", "trait*", "envoi*"],
    "es": ["escrib*", "redact*", "genera*", "compon*", "lee*", "procesa*", "envia*"],
}  # fmt: skip
DEICTIC = {
    "en": ["these", "this", "those", "our", "my", "your"],
    "de": ["diese*", "unsere*", "meine*", "ihre*", "deine*"],
    "fr": ["ces", "ce", "cet", "cette", "nos", "mes", "vos", "tes"],
    "es": ["estos", "estas", "este", "esta", "esos", "esas", "nuestros", "nuestras", "mis", "sus", "tus"],
}  # fmt: skip
EMAIL_NOUNS = {
    "en": ["email*", "e-mail*", "mail*", "message*", "outreach", "repl*", "draft*", "notes", "ticket*", "lines",
           "text", "page", "data", "signal*", "records", "field*"],
    "de": ["e-mail*", "email*", "mail*", "nachricht*", "antwort*", "text*", "zeilen", "seite*", "daten", "ticket*"],
    "fr": ["e-mail*", "email*", "mail*", "courriel*", "message*", "reponse*", "texte*", "ligne*", "page*",
           "donnees", "ticket*"],
    "es": ["correo*", "email*", "e-mail*", "mensaje*", "respuesta*", "texto*", "linea*", "pagina*", "datos",
           "ticket*"],
}  # fmt: skip

# Who speaks with authority over the agents.
AUTHORITY_NOUNS = {
    "en": ["supervisor*", "manager*", "sales manager*", "boss", "ceo", "cfo", "cto", "coo", "cro", "founder*",
           "owner*", "admin*", "administrator*", "operator*", "developer*", "creator*", "legal", "legal team",
           "legal department", "compliance", "compliance team", "security team", "head of sales", "vp sales",
           "vp of sales", "director*", "management", "your company", "salesops team", "it department"],
    "de": ["vorgesetzte*", "chef*", "geschaftsfuhr*", "ceo", "leiter*", "vertriebsleiter*", "administrator*",
           "admin*", "rechtsabteilung", "compliance*", "entwickler*", "betreiber*", "vorstand*", "geschaftsleitung",
           "management", "manager*", "it-abteilung"],
    "fr": ["superviseur*", "superieur*", "responsable*", "manager*", "directeur*", "directrice*", "pdg", "ceo",
           "administrateur*", "administratrice*", "service juridique", "juridique", "conformite", "developpeur*",
           "operateur*", "direction", "createur*", "equipe commerciale", "service informatique"],
    "es": ["supervisor*", "jefe*", "jefa*", "gerente*", "director*", "directora*", "ceo", "administrador*",
           "departamento legal", "legal", "juridico", "cumplimiento", "desarrollador*", "operador*", "direccion",
           "responsable*", "creador*", "departamento de ti"],
}  # fmt: skip
AUTHORITY_AS = {
    "en": ["as your", "as the", "as a", "as an", "as", "on behalf of your", "on behalf of the", "speaking as your",
           "this is your", "i am your", "i'm your", "acting as your", "in my capacity as"],
    "de": ["als", "als ihr", "als ihre", "als dein", "als deine", "als der", "als die", "im auftrag ihres",
           "im auftrag ihrer", "im auftrag des", "im auftrag der", "im namen ihres", "im namen des", "im namen der",
           "hier spricht ihr", "ich bin ihr", "ich bin ihre", "ich bin dein", "ich bin deine"],
    "fr": ["en tant que votre", "en tant que ton", "en tant que", "comme", "comme votre", "de la part de votre",
           "de la part du", "de la part de la", "au nom de votre", "au nom du", "au nom de la", "ici votre",
           "je suis votre", "je suis ton"],
    "es": ["como", "como su", "como tu", "como el", "como la", "en calidad de", "en nombre de su",
           "en nombre de tu", "en nombre del", "en nombre de la", "de parte de su", "de parte del", "soy su",
           "soy tu"],
}  # fmt: skip
APPROVAL = {
    "en": ["approve*", "authori*", "sign* off", "clear*", "permit*", "allow*", "sanction*", "pre-approved",
           "preapproved", "pre-authori*", "greenlit", "green-lit", "waive*", "exempt*"],
    "de": ["genehmig*", "freigegeben", "freigabe", "gebe frei", "autorisier*", "erlaub*", "bewillig*", "abgesegnet",
           "vorab genehmigt", "vorabgenehmigt"],
    "fr": ["approuv*", "autoris*", "valid*", "accord*", "permet*", "pre-approuv*", "preapprouv*", "pre-valid*"],
    "es": ["aprob*", "apruebo", "autoriz*", "valid*", "permit*", "preaprobad*", "pre-aprobad*", "visto bueno"],
}  # fmt: skip
# Words that make an approval a claim to the reader rather than news: "pre-", "already", "your".
APPROVAL_CLAIM_MARKERS = {
    "en": ["i hereby", "i authorise", "i authorize", "i sign off", "i approve", "pre-*", "preapproved", "already",
           "hereby", "i approve", "i authori*", "i have approved", "i've approved", "has approved", "have approved",
           "is approved", "are approved", "is authori*", "been approved", "by your"],
    "de": ["genehmige ich", "autorisiere ich", "gebe ich frei", "erlaube ich", "bewillige ich", "vorab", "bereits",
           "schon", "hiermit", "ich genehmige", "ich autorisiere", "ist genehmigt", "wurde genehmigt",
           "sind genehmigt", "von ihrem", "von ihrer", "von deinem", "von deiner", "durch ihren"],
    "fr": ["j'autorise", "j'approuve", "je valide", "je donne mon accord", "pre-*", "deja", "par la presente",
           "j'approuve", "j'autorise", "je valide", "est approuve*", "est autorise*", "est valide*", "par votre",
           "par ton"],
    "es": ["autorizo", "apruebo", "doy mi aprobacion", "doy el visto bueno", "pre*", "ya", "por la presente",
           "apruebo", "autorizo", "esta aprobad*", "esta autorizad*", "ha sido aprobad*", "por su", "por tu"],
}  # fmt: skip

# The agent itself as the subject of an obligation or a permission: "the assistant should …",
# "el modelo … debe", "les rédacteurs automatiques peuvent désormais …".
THIRD_PERSON_MODALS = {
    "en": ["should", "must", "shall", "needs to", "need to", "has to", "have to", "is to", "are to", "may now",
           "can now", "will now", "is allowed to", "are allowed to", "is authori*ed to", "are authori*ed to",
           "is permitted to", "is expected to", "is required to", "is asked to", "are asked to", "is instructed to"],
    "de": ["soll", "sollte", "sollen", "sollten", "muss", "mussen", "darf", "durfen", "darf jetzt", "kann jetzt",
           "konnen jetzt", "hat zu", "ist angewiesen", "ist berechtigt"],
    "fr": ["doit", "doivent", "devrait", "devraient", "peut desormais", "peuvent desormais", "peut maintenant",
           "peuvent maintenant", "est autorise* a", "sont autorise*s a", "est prie* de", "sont pries de"],
    "es": ["debe", "deben", "deberia", "deberian", "tiene que", "tienen que", "puede ahora", "pueden ahora",
           "ya puede", "ya pueden", "esta autorizad* a", "estan autorizad*s a", "puede a partir de ahora"],
}  # fmt: skip
# Words that pick out one agent as the addressee: "whichever assistant", "Ihr System", "votre assistant".
ADDRESSEE_PICKERS = {
    "en": ["your", "whichever", "whatever", "any", "every", "each", "the automated"],
    "de": ["ihr", "ihre", "ihren", "ihrem", "dein", "deine", "jede*", "welche* auch immer"],
    "fr": ["votre", "vos", "ton", "tes", "tout", "toute", "chaque", "quel que soit"],
    "es": ["su", "sus", "tu", "tus", "cualquier", "cada", "el que sea"],
}  # fmt: skip
# Skipping the person who checks the agents' work.
REVIEW_BYPASS = {
    "en": ["skip", "bypass", "without", "no need for", "not necessary", "unnecessary", "avoid", "circumvent"],
    "de": ["uberspring*", "umgeh*", "ohne", "nicht notig", "nicht erforderlich", "unnotig", "verzicht*"],
    "fr": ["saute*", "sauter", "contourn*", "sans", "pas besoin", "pas necessaire", "inutile", "evit*"],
    "es": ["salta*", "salte*", "omit*", "sin", "no hace falta", "no es necesari*", "innecesari*", "evita*"],
}  # fmt: skip
REVIEW_NOUNS = {
    "en": ["review*", "human review", "approval*", "check*", "sign-off", "manual check*", "verification",
           "human in the loop", "oversight", "moderation"],
    "de": ["freigabe*", "prufung*", "uberprufung*", "genehmigung*", "kontrolle*", "review*", "menschliche* prufung",
           "abnahme"],
    "fr": ["relecture*", "revue*", "validation*", "verification*", "approbation*", "controle*", "review*"],
    "es": ["revision*", "aprobacion*", "validacion*", "verificacion*", "control*", "review*", "supervision"],
}  # fmt: skip

# "As an AI, you …": the reader's identity asserted.
IDENTITY_AS = {
    "en": ["as an", "as a", "as the", "being an", "being a"],
    "de": ["als", "als eine", "als ein"],
    "fr": ["en tant qu'", "en tant que", "comme"],
    "es": ["como", "siendo", "como una", "como un"],
}  # fmt: skip
# A complement that makes instructions or rules someone's ordinary documents ("instructions de montage",
# "rules for data retention"), not the reader's.
COMPLEMENT = {
    "en": ["for", "of", "on", "about", "regarding"],
    "de": ["zur", "zum", "fur", "uber", "von", "der"],
    "fr": ["de", "du", "des", "pour", "sur", "d'"],
    "es": ["de", "del", "para", "sobre"],
}  # fmt: skip

# Instructions the reader was given, and what an attacker asks it to drop.
INSTRUCTION_NOUNS = {
    "en": ["everything above", "everything before this", "all of the above", "all the above",
           "everything you were told", "everything you've been told", "instruction*", "prompt*", "rule*",
           "guideline*", "directive*", "polic*", "guardrail*", "restriction*", "constraint*", "programming",
           "system message*", "orders", "safety", "filters", "limits", "training"],
    "de": ["alles vorherige", "alles obige", "alles bisherige", "alles oben", "alles zuvor gesagte", "anweisung*",
           "instruktion*", "regel*", "richtlinie*", "vorgabe*", "prompt*", "beschrankung*", "befehl*",
           "programmierung", "systemnachricht*", "einschrankung*", "sicherheitsregel*"],
    "fr": ["tout ce qui precede", "tout ce qui est au-dessus", "tout ce qu'on vous a dit", "instruction*",
           "consigne*", "regle*", "directive*", "politique*", "restriction*", "contrainte*", "prompt*",
           "programmation", "message* systeme", "garde-fou*", "limite*"],
    "es": ["todo lo anterior", "todo lo de arriba", "todo lo que te dijeron", "instruccion*", "regla*", "norma*",
           "directriz", "directrices", "politica*", "restriccion*", "indicacion*", "prompt*", "programacion",
           "mensaje* del sistema", "limite*", "pauta*"],
}  # fmt: skip
PRIOR = {
    "en": ["its", "their", "previous", "prior", "above", "earlier", "preceding", "all", "any", "your", "original",
           "initial", "old", "existing", "standard", "usual", "default", "those", "these", "every"],
    "de": ["seine*", "ihre*", "vorherig*", "bisherig*", "vorangegangen*", "obig*", "fruher*", "alle*", "ihre*",
           "deine*", "ursprunglich*", "alten", "alte", "ubliche*", "standard*", "jegliche*", "samtliche*"],
    "fr": ["ses", "son", "sa", "leurs", "precedent*", "anterieur*", "ci-dessus", "toutes", "tous", "vos", "tes",
           "votre", "ton", "initial*", "origin*", "ancien*", "habituel*", "par defaut"],
    "es": ["sus", "su", "anterior*", "previ*", "de arriba", "todas", "todos", "sus", "tus", "su", "tu", "original*",
           "inicial*", "antigu*", "habitual*", "por defecto"],
}  # fmt: skip
OVERRIDE_VERBS = {
    "en": ["stop following", "no longer follow", "stop applying", "stop obeying", "step outside", "ignore",
           "disregard", "forget", "override", "overrule", "bypass", "skip", "discard", "drop", "abandon", "neglect",
           "set aside", "suspend", "turn off", "disable", "circumvent", "break"],
    "de": ["nicht mehr befolgen", "befolge* nicht mehr", "halte* dich nicht", "halten sie sich nicht", "ignorier*",
           "vergiss", "vergessen", "missacht*", "uberschreib*", "umgeh*", "verwirf", "verwerfen",
           "setze* ausser kraft", "ausser kraft", "deaktivier*", "uberspring*", "hebe* auf", "aufheben"],
    "fr": ["ne plus suivre", "ne suivez plus", "ne suis plus", "cesse* de suivre", "arrete* de suivre", "ignore*",
           "ignorer", "oublie*", "outrepass*", "contourn*", "neglig*", "fais abstraction", "faites abstraction",
           "abandonne*", "desactiv*", "suspend*", "annule*", "passe* outre"],
    "es": ["deja* de seguir", "deje* de seguir", "dejar de seguir", "no sigas", "no siga", "ignora*", "ignore*",
           "olvida*", "olvide*", "omite", "omita", "omitir", "pasa por alto", "pase por alto", "salta*", "salte*",
           "descarta*", "descarte*", "anula*", "anule*", "desactiva*", "desactive*", "haz caso omiso",
           "haga caso omiso"],
}  # fmt: skip

# Secrets of the system.
REVEAL_VERBS = {
    "en": ["reply with", "respond with", "answer with", "start your reply with", "reveal", "show", "print",
           "output", "display", "repeat", "share", "disclose", "dump", "list", "tell", "give", "send", "paste",
           "leak", "expose", "write out", "spell out", "recite", "forward", "copy", "export", "provide", "include",
           "attach", "return"],
    "de": ["antworte mit", "antworten sie mit", "verrat*", "zeig*", "gib", "geben", "ausgeben", "wiederhol*",
           "teil*", "offenleg*", "nenn*", "schick*", "send*", "kopier*", "exportier*", "leite*", "weiterleit*",
           "fug*", "hang*", "liste*", "schreib*", "offenbar*"],
    "fr": ["reponds avec", "repondez avec", "reponds par", "repondez par", "revel*", "montr*", "affich*", "repet*",
           "partag*", "divulgu*", "donn*", "envoi*", "envoy*", "communiqu*", "indiqu*", "transmet*", "transfer*",
           "copi*", "export*", "joign*", "joindre", "ecri*", "list*", "fourni*", "inclu*", "dévoil*", "devoil*"],
    "es": ["responde con", "responda con", "contesta con", "conteste con", "revela*", "revele*", "muestra*",
           "muestre*", "mostrar", "imprim*", "repit*", "repet*", "compart*", "divulg*", "dame", "danos", "denos",
           "envia*", "envie*", "enviar", "manda*", "mande*", "indica*", "indique*", "dime", "dinos", "digame",
           "copia*", "exporta*", "reenvia*", "reenvie*", "adjunta*", "adjunte*", "incluy*", "escrib*", "lista*",
           "proporcion*", "facilit*"],
}  # fmt: skip
# Secret in itself, whatever qualifies it.
SECRET_NOUNS = {
    "en": ["customer list*", "client list*", "list of your customers", "list of customers", "list of your clients",
           "list of clients", "list of customer*", "private customers", "unnamed customers", "system prompt*",
           "hidden prompt*", "initial prompt*", "original prompt*", "master prompt*", "system message*",
           "system instruction*", "api key*", "api-key*", "apikey*", "secret key*", "access token*", "password*",
           "credential*", "private key*", "proof library", "proof point*", "internal notes", "env var*",
           "environment variable*", ".env", "secrets", "ssh key*"],
    "de": ["kundenliste*", "liste ihrer kunden", "liste der kunden", "liste aller kunden", "nicht nennbare* kunden",
           "systemprompt*", "system-prompt*", "systemanweisung*", "api-schlussel*", "api schlussel*", "api-key*",
           "zugangsdaten", "passwort*", "kennwort*", "geheimschlussel*", "referenzbibliothek", "nachweisbibliothek",
           "interne* notizen", "umgebungsvariable*", "token*"],
    "fr": ["liste de vos clients", "liste des clients", "liste de clients", "liste complete des clients",
           "clients confidentiels", "prompt systeme", "prompt* du systeme", "invite* systeme", "message* systeme",
           "cle* api", "cle* d'api", "cle* secrete*", "mot* de passe", "identifiants", "jeton* d'acces",
           "bibliotheque de preuves", "bibliotheque de references", "notes internes", "variable* d'environnement"],
    "es": ["lista de sus clientes", "lista de tus clientes", "lista de clientes", "lista completa de clientes",
           "clientes confidenciales", "prompt del sistema", "prompt de sistema", "mensaje* del sistema",
           "clave* api", "clave* de api", "clave* secreta*", "contrasena*", "credenciales", "token* de acceso",
           "biblioteca de pruebas", "biblioteca de referencias", "notas internas", "variable* de entorno"],
}  # fmt: skip
# Secret only when it is the reader's own ("your instructions", "your configuration").
OWN_SECRET_NOUNS = {
    "en": ["prompt*", "instruction*", "configuration", "config", "settings", "guideline*", "rules", "keys",
           "tokens", "secrets", "training data", "context", "customer list", "pricing rules", "playbook"],
    "de": ["prompt*", "anweisung*", "konfiguration", "einstellung*", "richtlinie*", "regeln", "schlussel",
           "kundenliste", "kontext", "vorgaben"],
    "fr": ["prompt*", "instruction*", "consigne*", "configuration", "parametre*", "regles", "cles",
           "liste de clients", "contexte", "directives"],
    "es": ["prompt*", "instruccion*", "configuracion", "ajustes", "reglas", "claves", "lista de clientes",
           "contexto", "directrices", "indicaciones"],
}  # fmt: skip
POSSESSIVE_YOUR = {
    "en": ["your", "its", "all your", "all of your", "full", "entire", "complete", "whole"],
    "de": ["ihre*", "deine*", "alle", "gesamte*", "vollstandige*", "komplette*"],
    "fr": ["votre", "vos", "ton", "ta", "tes", "tout* le", "tout* la", "tout* les", "integral*", "complet*"],
    "es": ["su", "sus", "tu", "tus", "todo el", "toda la", "todos los", "todas las", "complet*"],
}  # fmt: skip

# --- actions the agents could be made to take ------------------------------------------------------
FORWARD_VERBS = {
    "en": ["send", "forward", "email", "mail", "cc", "bcc", "copy", "loop in", "share", "transmit", "relay", "add",
           "include", "reply"],
    "de": ["send*", "schick*", "weiterleit*", "leite*", "cc", "bcc", "kopier*", "setze*", "teil*", "mail*",
           "ubermittl*", "nimm*", "fug*"],
    "fr": ["mett*", "mets", "envoi*", "envoy*", "transfer*", "transmet*", "fais suivre", "faites suivre",
           "mets en copie", "mettez en copie", "mettre en copie", "copie*", "partag*", "ajout*", "inclu*"],
    "es": ["pon", "ponga", "poner", "envia*", "envie*", "enviar", "reenvia*", "reenvie*", "manda*", "mande*",
           "copia*", "copie*", "pon en copia", "ponga en copia", "compart*", "anad*", "agreg*", "incluy*", "inclu*"],
}  # fmt: skip
THREAD_NOUNS = {
    "en": ["all replies", "every reply", "all responses", "a copy of all", "copies of all", "thread",
           "conversation", "whole exchange", "entire exchange", "history", "all emails", "all messages",
           "every email", "everything", "transcript", "correspondence"],
    "de": ["alle antworten", "jede antwort", "verlauf*", "konversation", "gesamten", "ganzen", "alle e-mails",
           "alle nachrichten", "korrespondenz", "thread", "alles", "unterhaltung"],
    "fr": ["toutes les reponses", "chaque reponse", "fil", "conversation", "historique", "tous les e-mails",
           "tous les messages", "echange*", "tout", "correspondance", "thread"],
    "es": ["todas las respuestas", "cada respuesta", "hilo", "conversacion", "historial", "todos los correos",
           "todos los mensajes", "todo", "intercambio", "correspondencia", "thread"],
}  # fmt: skip
COPY_MARKERS = {
    "en": ["cc", "bcc", "copy", "in copy", "loop in"],
    "de": ["cc", "bcc", "kopie", "in kopie", "in cc"],
    "fr": ["cc", "cci", "copie", "en copie", "copie cachee"],
    "es": ["cc", "cco", "copia", "en copia", "copia oculta"],
}  # fmt: skip
MARK_VERBS = {
    "en": ["route", "assign", "hand over", "pass", "mark", "flag", "tag", "set", "move", "change", "update",
           "classify", "label", "qualify", "treat", "prioriti*e", "escalate", "upgrade", "rank", "score", "list",
           "record", "log", "put"],
    "de": ["markier*", "kennzeichn*", "einstuf*", "stufe*", "setz*", "qualifizier*", "priorisier*", "behandl*",
           "verschieb*", "andere*", "eintrag*", "trage*", "fuhre*", "werte*", "bewerte*"],
    "fr": ["marqu*", "class*", "qualifi*", "prioris*", "trait*", "passe*", "mets", "mettez", "mettre", "indiqu*",
           "enregistr*", "not*", "consider*", "change*"],
    "es": ["marca*", "marque*", "clasific*", "califica*", "califique*", "cualifica*", "prioriz*", "priorice*",
           "trata*", "trate*", "pasa*", "pase*", "pon", "ponga", "poner", "registra*", "registre*", "cambia*",
           "considera*"],
}  # fmt: skip
QUALIFIED_STATES = {
    "en": ["tier a", "tier 1", "tier one", "a-tier", "top tier", "enterprise tier", "strategic account",
           "qualified", "high priority", "high-priority", "top priority", "priority lead", "hot lead", "hot", "sql",
           "mql", "sales-ready", "sales ready", "ready to buy", "vip", "closed won", "closed-won", "approved"],
    "de": ["tier a", "tier 1", "a-kunde*", "a-kategorie", "strategische* kunde*", "qualifiziert*", "hohe prioritat",
           "hoher prioritat", "hochste prioritat", "prioritar", "heiss*", "kaufbereit", "gewonnen", "vip",
           "hot lead"],
    "fr": ["tier a", "tier 1", "compte* strategique*", "categorie a", "qualifie*", "priorite haute",
           "haute priorite", "prioritaire", "chaud", "prêt a acheter", "pret a acheter", "gagne", "vip"],
    "es": ["tier a", "tier 1", "cuenta* estrategica*", "categoria a", "calificad*", "cualificad*", "alta prioridad",
           "prioridad alta", "prioritari*", "caliente", "listo para comprar", "ganad*", "vip"],
}  # fmt: skip
BOOK_VERBS = {
    "en": ["book", "schedule", "arrange", "set up", "put", "add", "create", "send an invite", "calendar"],
    "de": ["buch*", "vereinbar*", "einplan*", "plan*", "ansetz*", "setz*", "trag*", "organisier*", "leg*"],
    "fr": ["reserv*", "planifi*", "organis*", "fix*", "cal*", "programm*", "pos*", "prevoi*", "prevoy*"],
    "es": ["reserva*", "reserve*", "agenda*", "agende*", "programa*", "programe*", "organiza*", "organice*",
           "fija*", "fije*", "coordina*", "concierta*", "concierte*"],
}  # fmt: skip
MEETING_NOUNS = {
    "en": ["meeting*", "call*", "demo*", "appointment*", "slot*", "invite*", "session*"],
    "de": ["termin*", "meeting*", "gesprach*", "anruf*", "demo*", "call*", "besprechung*", "sitzung*"],
    "fr": ["rendez-vous", "rdv", "reunion*", "appel*", "demo*", "entretien*", "creneau*", "visio*"],
    "es": ["reunion*", "cita*", "llamada*", "demo*", "sesion*", "videollamada*", "hueco*"],
}  # fmt: skip
WITH = {"en": ["with"], "de": ["mit"], "fr": ["avec"], "es": ["con"]}
UNSUBSCRIBE_VERBS = {
    "en": ["unsubscribe", "remove", "delete", "drop", "suppress", "take off", "opt out", "opt-out", "erase",
           "purge", "blacklist", "block", "stop emailing", "stop contacting"],
    "de": ["abmeld*", "melde* ab", "melden sie ab", "austrag*", "trage* aus", "tragen sie aus", "entfern*",
           "losch*", "streich*", "sperr*", "nimm*", "nehmen"],
    "fr": ["desinscri*", "desabonn*", "supprim*", "retir*", "effac*", "ray*", "bloqu*", "enlev*"],
    "es": ["da de baja", "dar de baja", "den de baja", "de de baja", "elimin*", "borra*", "borre*", "quita*",
           "quite*", "exclu*", "bloque*", "saca*", "saque*"],
}  # fmt: skip
# Someone other than the writer: the target that makes an unsubscribe request an attack.
OTHER_PEOPLE = {
    "en": ["my colleague*", "my coworker*", "my co-worker*", "my boss", "my manager", "everyone", "all contacts",
           "all of", "the whole team", "the entire team", "our whole team", "the whole domain", "everybody",
           "all our", "all people", "the rest of", "my team"],
    "de": ["meine* kolleg*", "meinen kolleg*", "meinen chef", "meine chefin", "alle", "das ganze team",
           "das gesamte team", "die ganze domain", "jeden", "jede", "sie alle"],
    "fr": ["mon collegue", "ma collegue", "mes collegues", "mon patron", "ma patronne", "tous", "toutes",
           "toute l'equipe", "tout le monde", "tout le domaine"],
    "es": ["mi colega", "mis colegas", "mi companer*", "mis companer*", "mi jefe", "mi jefa", "todos", "todas",
           "todo el equipo", "todo el dominio"],
}  # fmt: skip
SELF = {
    "en": ["me", "us", "my", "our", "myself", "ourselves", "mine"],
    "de": ["mich", "uns", "mir", "meine*", "unsere*", "mein", "unser"],
    "fr": ["moi", "nous", "me", "m'", "mon", "ma", "mes", "notre", "nos"],
    "es": ["me", "nos", "mi", "mis", "nuestro*", "nuestra*", "yo", "conmigo"],
}  # fmt: skip
OFFER_VERBS = {
    "en": ["offer", "give", "grant", "apply", "promise", "provide", "extend", "add", "include", "quote", "mention",
           "tell", "say", "throw in", "honor", "honour", "beat", "match", "waive"],
    "de": ["anbiet*", "biet*", "gewahr*", "geb*", "gib", "versprech*", "versprich", "einraum*", "raum*",
           "gutschreib*", "erlass*", "schenk*"],
    "fr": ["offr*", "propos*", "accord*", "appliqu*", "promet*", "consent*", "fais", "faites", "fair*", "donn*",
           "mentionn*", "dit*", "dis"],
    "es": ["ofrec*", "ofrezc*", "concede*", "conceda*", "aplica*", "aplique*", "promet*", "regala*", "regale*",
           "menciona*", "mencione*", "di", "diga", "incluy*"],
}  # fmt: skip
DISCOUNT_NOUNS = {
    "en": ["discount*", "% off", "percent off", "rebate*", "free", "coupon*", "promo*", "voucher*", "price cut*",
           "for free", "at no cost", "no charge", "waiver", "refund*", "lower price", "cheaper", "beat any", "code"],
    "de": ["rabatt*", "nachlass*", "preisnachlass*", "prozent", "kostenlos*", "gratis", "gutschein*", "code*",
           "umsonst", "erstattung*", "gunstiger*", "preissenkung*"],
    "fr": ["remise*", "reduction*", "rabais", "ristourne*", "gratuit*", "offert*", "code* promo", "code*",
           "bon* de reduction", "rembours*", "moins cher"],
    "es": ["descuento*", "rebaja*", "gratis", "gratuit*", "cupon*", "codigo*", "bonificacion*", "reembols*",
           "mas barato", "sin coste", "sin costo"],
}  # fmt: skip
GUARANTEE_VERBS = {
    "en": ["guarantee", "promise", "assure", "commit to", "warrant", "pledge", "ensure them", "swear"],
    "de": ["garantier*", "zusicher*", "sichere* zu", "sichern sie zu", "versprech*", "versprich", "gewahrleist*"],
    "fr": ["garanti*", "promet*", "assur*", "engage*-vous", "engage-toi", "certifi*"],
    "es": ["garantiza*", "garantice*", "promet*", "asegura*", "asegure*", "comprometete", "comprometase",
           "certifica*"],
}  # fmt: skip
LINK_VERBS = {
    "en": ["include", "add", "insert", "put", "paste", "embed", "attach", "use", "mention", "visit", "click",
           "open", "go to", "follow", "check out", "share", "link", "direct", "point", "send", "redirect"],
    "de": ["einfug*", "fug*", "hinzufug*", "aufnehm*", "nimm*", "einbau*", "bau*", "einbett*", "besuch*", "offn*",
           "klick*", "aufruf*", "ruf*", "verlink*", "verweis*", "setz*", "teil*", "schick*", "send*", "geh*"],
    "fr": ["inclu*", "ajout*", "inser*", "mets", "mettez", "mettre", "integr*", "visit*", "cliqu*", "ouvr*",
           "allez sur", "va sur", "rendez-vous sur", "partag*", "envoi*", "envoy*", "redirig*", "renvoy*"],
    "es": ["incluy*", "inclu*", "anad*", "agreg*", "inserta*", "inserte*", "pon", "ponga", "poner", "visita*",
           "visite*", "haz clic", "haga clic", "pulsa*", "abre", "abra", "abrir", "comparte*", "comparta*",
           "envia*", "envie*", "redirig*", "dirig*"],
}  # fmt: skip
LINK_NOUNS = {
    "en": ["link*", "url*", "hyperlink*", "website", "landing page", "page"],
    "de": ["link*", "url*", "webseite*", "website", "seite", "landingpage"],
    "fr": ["lien*", "url*", "site*", "page*"],
    "es": ["enlace*", "link*", "vinculo*", "url*", "web", "pagina*", "sitio*"],
}  # fmt: skip
SAY_VERBS = {
    "en": ["slip in", "work in", "weave in", "sneak in", "throw in", "point out", "highlight", "say", "tell",
           "write", "mention", "state", "claim", "inform", "confirm", "assure", "promise", "add", "remind",
           "insist", "stress", "emphasi*e", "announce", "respond", "reply", "answer"],
    "de": ["sag*", "schreib*", "erwahn*", "behaupt*", "teile* mit", "teilen sie", "bestatig*", "versicher*",
           "versprech*", "betone*", "antworte*", "informier*"],
    "fr": ["dites", "dis", "dire", "ecri*", "mentionn*", "affirm*", "precis*", "indiqu*", "confirm*", "assur*",
           "promet*", "annonc*", "repond*", "inform*", "soulign*"],
    "es": ["di", "diga", "decir", "digan", "escrib*", "menciona*", "mencione*", "afirma*", "afirme*", "indica*",
           "indique*", "confirma*", "confirme*", "asegura*", "asegure*", "promet*", "responde*", "responda*",
           "informa*", "informe*", "subraya*"],
}  # fmt: skip
# Third parties whose email the agents write: "tell the recipient".
RECIPIENT_NOUNS = {
    "en": ["the recipient*", "recipient*", "the prospect*", "the customer*", "the client*", "the lead*", "them",
           "every prospect", "all prospects", "everyone", "the reader*", "this company", "the company",
           "the buyer*", "the cro", "the ceo", "their"],
    "de": ["den empfanger*", "dem empfanger*", "empfanger*", "den kunden", "dem kunden", "den interessent*",
           "dem interessent*", "allen", "jedem", "der firma", "dem unternehmen", "ihnen", "dem leser"],
    "fr": ["au destinataire", "le destinataire", "aux destinataires", "au prospect", "au client", "aux clients",
           "leur", "a tous", "au lecteur", "a l'entreprise", "a la societe"],
    "es": ["al destinatario", "el destinatario", "a los destinatarios", "al prospecto", "al cliente",
           "a los clientes", "les", "a todos", "al lector", "a la empresa"],
}  # fmt: skip
THAT = {"en": ["that"], "de": ["dass", "das"], "fr": ["que", "qu'"], "es": ["que"]}

# --- mood: what makes a verb a directive ---------------------------------------------------------
# Words that may precede an imperative without changing it ("please send", "bitte senden Sie").
FILLERS = {
    "en": ["please", "kindly", "also", "just", "now", "then", "and", "simply", "immediately", "always", "so",
           "additionally", "finally", "first", "next", "instead", "but", "ok", "okay", "important", "note", "pls",
           "plz", "asap", "quickly", "urgently", "really", "definitely", "only"],
    "de": ["bitte", "auch", "jetzt", "nun", "dann", "sofort", "immer", "unbedingt", "ausserdem", "zudem", "und",
           "zusatzlich", "also", "danach", "anschliessend", "stattdessen", "aber", "wichtig", "hinweis", "umgehend",
           "noch", "einfach", "nur", "bitte auch"],
    "fr": ["s'il vous plait", "s'il te plait", "svp", "aussi", "maintenant", "puis", "toujours", "egalement",
           "ensuite", "et", "immediatement", "donc", "enfin", "d'abord", "plutot", "mais", "important",
           "simplement", "merci de", "veuillez", "stp"],
    "es": ["por favor", "tambien", "ahora", "luego", "siempre", "ademas", "inmediatamente", "y", "entonces",
           "despues", "finalmente", "primero", "en cambio", "pero", "importante", "simplemente", "solo", "porfa",
           "de inmediato"],
}  # fmt: skip
# Words that make the next verb an obligation of the reader ("you must include").
MODAL_CUES = {
    "en": ["authori*es you to", "authori*ed you to", "permits you to", "empowers you to", "instructs you to",
           "asks you to", "your task*", "your new task*", "your job is", "your new job", "your role is",
           "your new role", "new task", "your mission", "you must", "you should", "you need to", "you have to",
           "you will", "you'll", "you are to", "you're to", "you shall", "make sure to", "make sure you",
           "be sure to", "remember to", "don't forget to", "do not forget to", "never forget to", "i need you to",
           "i want you to", "we need you to", "we want you to", "your task is to", "your job is to",
           "you are required to", "you are instructed to", "it is mandatory to", "never fail to", "you may now",
           "you are allowed to", "you are authorised to", "you are authorized to", "feel free to", "go ahead and",
           "proceed to", "be sure you", "ensure you", "ensure that you"],
    "de": ["erlaubt ihnen", "erlaubt dir", "autorisiert sie", "autorisiert dich", "weist sie an", "bittet sie",
           "ihre aufgabe", "deine aufgabe", "ihre neue aufgabe", "deine neue aufgabe", "neue aufgabe",
           "solltest du", "sollst du", "musst du", "sollten sie", "mussen sie", "sollen sie", "sie mussen",
           "du musst", "sie sollen", "du sollst", "sie sollten", "du solltest", "vergessen sie nicht",
           "vergiss nicht", "denken sie daran", "denk daran", "ihre aufgabe ist es", "deine aufgabe ist es",
           "sie durfen", "du darfst", "stellen sie sicher", "achten sie darauf", "bitte"],
    "fr": ["vous autorise a", "t'autorise a", "vous demande de", "te demande de", "votre tache", "ta tache",
           "votre nouvelle tache", "ta nouvelle tache", "nouvelle tache", "votre mission", "devez-vous", "dois-tu",
           "vous devez", "tu dois", "vous devriez", "tu devrais", "il faut", "il faudra", "n'oubliez pas de",
           "n'oublie pas de", "pensez a", "pense a", "votre tache est de", "ta tache est de",
           "vous etes autorise a", "veuillez", "merci de", "assurez-vous de", "assure-toi de", "prenez soin de"],
    "es": ["le autoriza a", "te autoriza a", "le pide que", "te pide que", "su tarea", "tu tarea", "su nueva tarea",
           "tu nueva tarea", "nueva tarea", "su mision", "tu mision", "debes ahora", "debes", "debera", "deberas",
           "deberia", "tienes que", "tiene que", "hay que", "no olvides", "no olvide", "recuerda", "recuerde",
           "tu tarea es", "su tarea es", "esta autorizado a", "asegurate de", "asegurese de", "por favor",
           "necesito que", "quiero que"],
}  # fmt: skip
# A polite question to a person: a request, but a weaker directive than an imperative.
REQUEST_CUES = {
    "en": ["can you", "could you", "would you", "will you", "can we", "could we", "would you mind",
           "would it be possible to", "is it possible to", "any chance you could", "i'd like you to",
           "i would like you to", "we'd like you to", "we would like you to", "let's", "let us"],
    "de": ["konnen sie", "konnten sie", "kannst du", "konntest du", "wurden sie", "wurdest du", "ware es moglich",
           "ich mochte", "wir mochten", "lassen sie uns", "lass uns"],
    "fr": ["pouvez-vous", "pourriez-vous", "peux-tu", "pourrais-tu", "pouvez vous", "pourriez vous",
           "serait-il possible de", "j'aimerais que vous", "nous aimerions que vous", "voudriez-vous", "voulez-vous"],
    "es": ["puede", "podria", "puedes", "podrias", "podrian", "pueden", "seria posible", "me gustaria que",
           "nos gustaria que", "quisiera que", "vamos a"],
}  # fmt: skip
# Words that start a clause, after which a verb may stand first again ("… and forward the thread").
CLAUSE_JOINERS = {
    "en": ["and", "then", "or", "also", "but", "so", "plus", "afterwards", "after that", "while you're at it"],
    "de": ["und", "dann", "oder", "auch", "aber", "danach", "anschliessend", "sowie"],
    "fr": ["et", "puis", "ou", "aussi", "mais", "ensuite", "apres cela"],
    "es": ["y", "e", "luego", "o", "tambien", "pero", "despues", "ademas"],
}  # fmt: skip

# What the reader's own output is called: "in your next email", "dans votre prochain message".
OUTPUT_REFERENCE = {
    "en": ["in your next email", "in your next message", "in your next reply", "in your reply", "in your response",
           "in the email", "in every email", "in each email", "in all emails", "in your emails", "in your outreach",
           "in the next email", "in the draft", "in your draft", "into the email", "into your email",
           "into your reply", "to your email", "to the email", "when you write", "when you reply",
           "when you respond", "in the message", "in every message", "in your message", "in the reply",
           "the email you write", "the emails you write", "the email you send", "the emails you send",
           "in future emails", "in any email"],
    "de": ["in ihre nachste nachricht", "in ihrer nachsten nachricht", "in ihre nachste e-mail",
           "in ihrer nachsten e-mail", "in ihrer antwort", "in ihre antwort", "in deiner antwort", "in jede e-mail",
           "in jeder e-mail", "in die e-mail", "in der e-mail", "in ihre e-mail", "in ihrer e-mail",
           "in deine nachste", "in deiner nachsten", "in die nachricht", "in der nachricht", "wenn sie schreiben",
           "wenn du schreibst", "in alle e-mails", "in allen e-mails", "in ihren e-mails"],
    "fr": ["dans votre prochain message", "dans votre prochain e-mail", "dans votre prochain mail",
           "dans votre prochain courriel", "dans votre reponse", "dans ta reponse", "dans chaque e-mail",
           "dans chaque message", "dans l'e-mail", "dans le message", "dans le mail", "dans vos e-mails",
           "dans vos messages", "dans ton prochain", "quand vous ecrivez", "lorsque vous ecrivez",
           "dans tous les e-mails", "dans tous les messages", "dans le courriel"],
    "es": ["en tu proximo correo", "en su proximo correo", "en tu proximo mensaje", "en su proximo mensaje",
           "en tu respuesta", "en su respuesta", "en cada correo", "en cada mensaje", "en el correo",
           "en el mensaje", "en tus correos", "en sus correos", "cuando escribas", "cuando escriba",
           "en todos los correos", "en todos los mensajes", "en el email", "en tu email", "en su email"],
}  # fmt: skip

# Role words that open a chat turn ("SYSTEM:", "Système :", "Asistente:").
ROLE_WORDS = {
    "en": ["new task", "task", "new policy", "system", "assistant", "user", "human", "ai", "bot", "developer",
           "instruction", "instructions", "system prompt", "system message", "new instructions", "admin",
           "administrator", "operator", "model", "prompt", "override", "context"],
    "de": ["neue aufgabe", "aufgabe", "neue richtlinie", "system", "assistent", "benutzer", "nutzer", "mensch",
           "ki", "entwickler", "anweisung", "anweisungen", "systemnachricht", "systemanweisung", "neue anweisungen",
           "neue anweisung", "administrator", "modell"],
    "fr": ["nouvelle tache", "tache", "nouvelle politique", "systeme", "assistant", "utilisateur", "humain", "ia",
           "developpeur", "instruction", "instructions", "consigne", "consignes", "message systeme",
           "nouvelles instructions", "nouvelles consignes", "administrateur", "modele"],
    "es": ["nueva tarea", "tarea", "nueva politica", "sistema", "asistente", "usuario", "humano", "ia",
           "desarrollador", "instruccion", "instrucciones", "mensaje del sistema", "nuevas instrucciones",
           "nueva instruccion", "administrador", "modelo"],
}  # fmt: skip
LANGUAGES = ("en", "de", "fr", "es")


# A concession granted: what a text claims our side already agreed to ("35% off", "the first three
# months free", "Sonderkonditionen", "six premiers mois offerts", "periodo de prueba gratuito").
CONCESSIONS = {
    "en": ["discount*", "% off", "percent off", "free", "free trial", "free months", "rebate*", "waiv*",
           "half the price", "half price", "special terms", "special pricing", "price match*", "no charge",
           "at no cost"],
    "de": ["rabatt*", "nachlass*", "preisnachlass*", "kostenlos*", "gratis", "umsonst", "sonderkondition*",
           "sonderpreis*", "halben preis", "gratismonat*", "testphase", "erlass*"],
    "fr": ["remise*", "reduction*", "rabais", "ristourne*", "gratuit*", "offert*", "conditions speciales",
           "tarif special", "moitie prix", "sans frais"],
    "es": ["descuento*", "rebaja*", "gratis", "gratuit*", "bonificacion*", "condiciones especiales",
           "precio especial", "mitad de precio", "sin coste", "sin costo", "prueba gratuita", "periodo de prueba"],
}  # fmt: skip
# Saying it was granted: approved, agreed, signed off, confirmed (APPROVAL holds the approving verbs).
GRANTED = {
    "en": ["agreed", "signed off", "sign off", "confirmed", "granted", "promised", "settled", "locked in", "cleared",
           "okayed", "ok'd"],
    "de": ["zugesagt", "vereinbart", "bestatigt", "zugesichert", "abgestimmt", "versprochen", "abgemacht"],
    "fr": ["confirme*", "accorde*", "convenu*", "promis", "acte", "entendu*", "valide*", "negocie*"],
    "es": ["acordad*", "cerrad*", "confirmad*", "concedid*", "prometid*", "pactad*", "quedo cerrado", "aprobad*"],
}  # fmt: skip
# Our side, as the text names it to the reader: "with your team", "de votre côté", "vuestro equipo".
YOUR_SIDE = {
    "en": ["your team", "your side", "your company", "your end", "your colleague*", "your sales*", "your boss",
           "your manager"],
    "de": ["ihr team", "ihrem team", "ihrer seite", "ihre seite", "ihr haus", "ihrem haus", "ihre vertrieb*",
           "ihr vertrieb*", "ihre kolleg*", "ihrem kolleg*", "ihre geschaftsfuhrung", "ihre leitung"],
    "fr": ["votre equipe", "votre cote", "de votre cote", "votre societe", "votre collegue", "vos equipes",
           "votre responsable", "votre direction"],
    "es": ["vuestro equipo", "su equipo", "tu equipo", "vuestra parte", "su parte", "vuestra empresa",
           "vuestro responsable", "su responsable", "vuestra direccion"],
}  # fmt: skip
ALREADY = {"en": ["already", "pre-*"], "de": ["bereits", "schon", "vorab"], "fr": ["deja"], "es": ["ya"]}
# That no one needs to check: "no review needed", "keine Rückfrage nötig", "inutile de vérifier".
NO_CHECK_NEEDED = {
    "en": ["no review needed", "no review required", "no need to check", "no need to verify", "no need to review",
           "no approval needed", "no sign-off needed", "no need to confirm", "do not check", "don't check",
           "without checking", "without review"],
    "de": ["keine ruckfrage notig", "keine ruckfrage", "keine prufung notig", "keine freigabe notig",
           "ohne ruckfrage", "ohne prufung", "nicht prufen", "nicht nachfragen", "nicht gegenprufen"],
    "fr": ["inutile de verifier", "inutile de valider", "sans verification", "sans validation",
           "pas besoin de verifier", "pas besoin de valider", "ne pas verifier", "inutile de demander"],
    "es": ["no hace falta revisar", "no hace falta comprobar", "no hace falta verificar", "sin revisar",
           "sin verificar", "sin comprobar", "no es necesario revisar", "no es necesario verificar", "no lo revises"],
}  # fmt: skip
# The agents' own workings, which a text asks to be given: the rules, prompt, instructions or keys
# "your agents use", "you follow", "Ihr Textsystem bekommt", "que sigue vuestro sistema".
AGENT_USES = {
    "en": ["you follow", "you use", "you run on", "you run with", "you work from", "you are given", "you get",
           "it follows", "it uses", "it runs on", "it runs with", "it is given"],
    "de": ["sie befolgen", "sie nutzen", "sie verwenden", "sie bekommen", "sie erhalten", "du befolgst", "du nutzt"],
    "fr": ["vous suivez", "vous utilisez", "vous recevez", "tu suis", "tu utilises", "il suit", "il utilise"],
    "es": ["seguis", "sigue", "siguen", "usais", "usa", "utiliza", "utilizais", "recibe", "recibis"],
}  # fmt: skip
NEED_CUES = {
    "en": ["need*", "would help", "would really help", "it would help", "please", "just paste", "just drop",
           "send over", "share"],
    "de": ["benotig*", "brauch*", "bitte", "hilfreich", "schicken", "senden", "teilen"],
    "fr": ["besoin", "merci de", "utile", "envoyer", "partager", "transmettre"],
    "es": ["necesit*", "por favor", "ayudaria", "podeis", "pasar", "enviar", "compartir", "mandar"],
}  # fmt: skip
CONDITIONAL = {
    "en": ["if", "in case", "should"], "de": ["falls", "wenn", "sofern"], "fr": ["si", "au cas ou"],
    "es": ["si", "en caso de que"],
}  # fmt: skip

# Words the lexicons above lacked: Spanish clitic imperatives ("dile", "enlaza"), the vosotros request
# ("¿nos podéis …?"), and the titles of the people who grant concessions in each language.
SAY_VERBS["es"] += ["dile", "diles", "digale", "digales"]
LINK_VERBS["es"] += ["enlaza*", "enlace*"]
REQUEST_CUES["es"] += ["podeis", "podriais", "nos podeis"]
AUTHORITY_NOUNS["en"] += ["head of *", "finance director", "finance team", "founder"]
AUTHORITY_NOUNS["de"] += ["geschaftsfuhrung", "vertriebsleitung", "finanzvorstand", "finanzleitung", "einkaufsleitung"]
AUTHORITY_NOUNS["fr"] += ["daf", "pdg", "dg", "direction financiere", "direction commerciale", "responsable des ventes"]
AUTHORITY_NOUNS["es"] += ["consejero delegado", "consejera delegada", "direccion financiera", "director financiero",
                          "directora financiera", "direccion comercial"]  # fmt: skip

# Machines named by what they are, not as AI ("the tool that writes these emails", "der Textgenerator",
# "le logiciel qui prépare l'envoi", "la herramienta"), and what such a reader does with a text.
AI_WEAK["en"] += ["tool", "software", "generator", "program", "programme", "script"]
AI_WEAK["de"] += ["tool", "software", "*generator", "programm", "werkzeug", "skript"]
AI_WEAK["fr"] += ["outil", "logiciel", "generateur", "programme", "script"]
AI_WEAK["es"] += ["herramienta", "software", "generador", "programa", "script"]
ADDRESSEE_DESCRIBED["en"] += ["preparing*", "composing*", "analy*ing", "evaluating", "creating", "producing"]
ADDRESSEE_DESCRIBED["fr"] += ["preparant", "analysant", "composant", "produisant"]
ADDRESSEE_DESCRIBED["es"] += ["preparando", "analizando", "componiendo", "elaborando"]
WRITING_VERBS["en"] += ["prepar*", "analy*", "evaluat*", "summari*", "produc*", "creat*"]
WRITING_VERBS["de"] += ["auswert*", "bearbeit*", "vorbereit*", "analysier*", "formulier*", "automatisch*",
                        "zusammenfass*"]  # fmt: skip
WRITING_VERBS["fr"] += ["prepar*", "analys*", "resum*", "automati*", "produi*", "elabor*"]
WRITING_VERBS["es"] += ["prepar*", "analiz*", "resum*", "automati*", "elabor*", "produc*"]
# Giving, enclosing, stating: what a text asks a writer to put in its answer.
REVEAL_VERBS["en"] += ["enclose", "state", "mention"]
REVEAL_VERBS["de"] += ["angeb*", "angegeben", "mitschick*", "mitsend*", "beileg*", "beifug*", "auflist*", "aufzahl*"]
REVEAL_VERBS["fr"] += ["precis*", "mentionn*", "enumer*", "detaill*"]
REVEAL_VERBS["es"] += ["detall*", "enumer*", "especific*", "menciona*", "mencione*"]
# Other parties' dealings are secret whatever qualifies them: who else buys, tests or is contacted.
SECRET_NOUNS["en"] += ["other customers", "other clients", "other prospects", "other companies testing",
                       "other firms", "your other customers", "other accounts you"]  # fmt: skip
SECRET_NOUNS["de"] += ["andere* kunden", "andere* firmen", "andere* interessenten", "andere* unternehmen",
                       "systemkonfiguration"]  # fmt: skip
SECRET_NOUNS["fr"] += ["autres clients", "autres prospects", "autres entreprises", "configuration systeme",
                       "configuration du systeme"]  # fmt: skip
SECRET_NOUNS["es"] += ["otros clientes", "otras empresas", "otros prospectos", "configuracion del sistema"]
# The words that make a sentence a request in each language, whatever it asks for.
POLITE_REQUEST = {
    "en": ["please", "kindly", "pls"],
    "de": ["bitte", "bitten wir", "wir bitten"],
    "fr": ["merci de", "merci d'", "veuillez", "s'il vous plait", "s'il te plait", "je vous prie de"],
    "es": ["por favor", "le ruego", "les rogamos", "te pido que", "le pido que"],
}  # fmt: skip
# More of the same meaning classes: notes and remarks that open an address, what an email is called, the
# writer named by its trade ("the drafting system"), slipping a link in.
ADDRESS_CUES["en"] += ["remark for", "remark to", "a word for", "a word to", "heads-up for", "heads up for"]
ADDRESS_CUES["de"] += ["bemerkung fur", "bemerkung an", "anmerkung fur", "anmerkung an", "ein wort an", "info fur"]
ADDRESS_CUES["fr"] += ["remarque pour", "remarque a", "petit mot pour", "un mot pour", "mot pour", "avis a",
                       "avis aux"]  # fmt: skip
ADDRESS_CUES["es"] += ["comentario para", "observacion para", "unas palabras para", "aviso a quien", "nota a quien"]
EMAIL_NOUNS["en"] += ["send*", "sequence*", "follow-up*", "article", "news", "story", "record"]
EMAIL_NOUNS["de"] += ["anschreiben", "artikel", "meldung*", "sequenz*", "entwurf*"]
EMAIL_NOUNS["fr"] += ["envoi*", "relance*", "article*", "nouvelle*", "sequence*", "brouillon*"]
EMAIL_NOUNS["es"] += ["envio*", "noticia*", "articulo*", "secuencia*", "borrador*", "seguimiento*"]
AI_STRONG["en"] += ["drafting system*", "drafting tool*", "writing tool*", "writing system*", "email generator*",
                    "text generator*", "outreach tool*", "outreach system*", "sequencing tool*"]  # fmt: skip
AI_STRONG["de"] += ["textgenerator*", "texttool*", "schreibtool*", "schreibsystem*", "textsystem*", "mailtool*"]
AI_STRONG["fr"] += ["generateur* de texte", "outil* de redaction", "logiciel* de redaction", "outil* de prospection"]
AI_STRONG["es"] += ["generador* de texto*", "herramienta* de redaccion", "sistema* de redaccion",
                    "herramienta* de prospeccion"]  # fmt: skip
LINK_VERBS["fr"] += ["gliss*", "place*", "placez"]
LINK_VERBS["es"] += ["desliza*", "deslice*", "cuela*", "mete*", "meta"]
LINK_VERBS["de"] += ["unterbring*", "einstreu*"]
# When a text is being written from ("when summarising this news for an email", "quand tu écris à ce
# compte", "beim Verfassen", "al resumir esta noticia"): whoever does that is addressed.
WHEN_WRITING = {
    "en": ["when", "whenever", "while", "before", "if"],
    "de": ["wenn", "beim", "bevor", "falls", "sobald"],
    "fr": ["quand", "lorsque", "lorsqu'", "en", "avant de", "si"],
    "es": ["al", "cuando", "antes de", "si"],
}  # fmt: skip
