"""Typed answers in Spanish, Portuguese, French, Arabic and Somali, as people type them on a
phone: typos, accents dropped, chat spellings, broken grammar, numbers, several answers in
one message, and things that are not answers.

One row a line: `question | what the person types | what the bot must do`, where the last is
choice ids (`retail, production`: recorded as those), `ASK` (asked back: "Did you mean ...?"),
`NO` (not understood, said so), `Q` (answered as a question, then asked again), `NOT` (any of
ASK, NO, Q or a kind word for talk such as a greeting: must not be recorded), or
`school=bachelor; degree_field=other` (several questions answered by one message: exactly
these answers recorded).
"""

from __future__ import annotations

ES = """
credential | soldadura | manufacturing
credential | asistente de enfermeria | other
school | no termine la secundaria | none
school | no termine la prepa | none
school | solo primaria | none
school | deje la escuela | none
school | secundaria | high_school
school | segundaria | high_school
school | termine la prepa | high_school
school | tengo el ged | high_school
school | si | ASK
school | no se | NOT
school | universidad | bachelor
school | licenciatura en biologia | school=bachelor; degree_field=other
school | certificado de soldadura | school=credential; credential=manufacturing
school | cuanto gana un soldador? | Q
school | hola | NOT
school | 5 | bachelor
degree_field | informatica | it
degree_field | enfermeria | other
english | facil | easy
english | fácil | easy
english | mas o menos | ok
english | un poquito | ok
english | no hablo ingles | hard
english | dificl | hard
english | muy dificil | hard
computer | solo celular | phone_only
computer | solo el cel | phone_only
computer | uso word y excel | office
computer | correo y facebook | basic
computer | correcto | NOT
experience | trabaje en una fabrica | production
experience | tienda y restaurante | retail, customer_service
experience | cajera en walmart | retail
experience | limpieza | maintenance
experience | soldador | welding
experience | nada | none
interests | arreglar maquinas | mfg_maintenance
interests | computadoras y redes | it_infrastructure
interests | videojuegos | it_gaming
interests | paginas web | it_web
age | si | yes
age | sí | yes
age | tengo 17 | no
age | mayor de edad | yes
lifting | si puedo | yes
lifting | no puedo | no
lifting | no se | unsure
lifting | me duele la espalda | no
math | un poco | some
math | mal | weak
math | no | ASK
support | niños | childcare
support | transporte y dinero | transport, money
support | no necesito nada | none
job_now | si | yes
job_now | ya tengo trabajo | have_job
job_now | ahora mismo | yes
hours | de 10 a 20 | h15
hours | 12 horas | h15
hours | 20 | ASK
hours | menos de 5 | h3
hours | tiempo completo | h25
hours | veinte | ASK
hours | como tres horas | h3
school | no acabe la escuela | none
school | fui a la universidad | bachelor
school | tengo titulo universitario | bachelor
school | q es el ged | NOT
english | ingles dificil | hard
english | bien bien | easy
computer | no tengo compu | phone_only
computer | excel | office
experience | trabaje de mesero | customer_service
experience | bodega y limpieza | production, maintenance
experience | en la construccion | NOT
age | tengo 35 años | yes
age | tengo 16 | no
lifting | claro que si | yes
math | soy malo en matematicas | weak
support | necesito guarderia para mis hijos | childcare
support | no tengo carro | transport
job_now | necesito trabajar ya | yes
job_now | trabajo medio tiempo | have_job
hours | unas 15 horas | h15
hours | 15hrs | h15
hours | como 8 | h8
hours | no se | NOT
school | nunca fui a la escuela | none
school | termine el bachillerato | high_school
english | hablo poquito ingles | ok
english | perfecto | easy
computer | solo whatsapp | phone_only
computer | uso la compu para correos | basic
experience | fui cajero | retail
experience | trabaje en un almacen | production
interests | me gusta la computacion | it_infrastructure
age | claro | yes
lifting | si claro | yes
math | regular | some
support | el transporte | transport
job_now | todavia no | no
job_now | si necesito trabajo ya | yes
job_now | busco trabajo | yes
hours | como 10 horas | ASK
hours | unas 6 horas | h8
"""

PT = """
credential | solda | manufacturing
credential | tecnico de enfermagem | other
school | nao terminei o ensino medio | none
school | não terminei | none
school | parei de estudar | none
school | ensino medio | high_school
school | terminei o ensino médio | high_school
school | ensino meio | high_school
school | sim | ASK
school | não | ASK
school | faculdade | bachelor
school | bacharelado em enfermagem | school=bachelor; degree_field=other
school | curso tecnico | credential
school | quanto ganha um soldador? | Q
school | oi tudo bem | NOT
degree_field | informatica | it
degree_field | engenharia | engineering
english | facil | easy
english | mais ou menos | ok
english | um pouco | ok
english | nao falo ingles | hard
english | dificel | hard
computer | so o celular | phone_only
computer | só celular | phone_only
computer | word e excel | office
computer | email e whatsapp | basic
computer | certo | NOT
experience | trabalhei numa fabrica | production
experience | loja e restaurante | retail, customer_service
experience | faxina | maintenance
experience | soldador | welding
experience | nunca trabalhei | none
interests | consertar maquinas | mfg_maintenance
interests | computadores e redes | it_infrastructure
interests | jogos | it_gaming
interests | sites | it_web
age | sim | yes
age | tenho 17 | no
age | maior de idade | yes
lifting | consigo | yes
lifting | nao consigo | no
lifting | nao sei | unsure
math | mais ou menos | some
math | ruim | weak
math | nao | ASK
support | filhos | childcare
support | carro e dinheiro | transport, money
support | nao preciso | none
job_now | sim | yes
job_now | ja trabalho | have_job
job_now | agora nao | no
hours | 10 a 20 | h15
hours | 12 horas | h15
hours | 20 | ASK
hours | menos de 5 | h3
hours | tempo integral | h25
hours | vinte | ASK
school | nao acabei a escola | none
school | fiz faculdade | bachelor
school | tenho o ensino medio completo | high_school
school | o que e ged | NOT
english | ingles e dificil pra mim | hard
english | falo bem | easy
computer | nao tenho computador | phone_only
computer | so uso o zap | NOT
experience | trabalhei de garcom | customer_service
experience | deposito e limpeza | production, maintenance
age | tenho 40 anos | yes
age | tenho 16 anos | no
lifting | claro que consigo | yes
math | sou ruim em matematica | weak
support | preciso de creche pros meus filhos | childcare
support | nao tenho carro | transport
job_now | preciso trabalhar ja | yes
job_now | trabalho meio periodo | have_job
hours | umas 15 horas | h15
hours | tipo 8 | h8
hours | nao sei | NOT
school | so o fundamental | none
school | tenho ensino medio completo | high_school
english | falo pouco | hard
english | muito bom | easy
computer | so celular mesmo | phone_only
experience | trabalhei no mercado | retail
experience | fui garçonete | customer_service
interests | gosto de consertar coisas | mfg_maintenance
age | tenho 25 | yes
lifting | acho que sim | unsure
math | mais ou menos | some
support | preciso de ajuda com transporte | transport
job_now | ainda nao | no
job_now | preciso de trabalho | yes
job_now | procuro trabalho | yes
hours | umas 12 horas | h15
"""

FR = """
credential | soudure | manufacturing
credential | aide soignante | other
school | pas de diplome | none
school | j'ai pas fini le lycee | none
school | jai pas fini le lycée | none
school | lycee | high_school
school | j'ai le bac | high_school
school | baccalaureat | high_school
school | oui | ASK
school | non | ASK
school | licence | bachelor
school | licence en biologie | school=bachelor; degree_field=other
school | bts | associate
school | combien gagne un soudeur ? | Q
school | bonjour | NOT
degree_field | informatique | it
degree_field | gestion | other
english | facile | easy
english | comme ci comme ca | ok
english | un peu | ok
english | je parle pas anglais | hard
english | dificile | hard
computer | juste le telephone | phone_only
computer | téléphone | phone_only
computer | word et excel | office
computer | mail et facebook | basic
computer | d'accord | NOT
experience | j'ai travaillé à l'usine | production
experience | magasin et restaurant | retail, customer_service
experience | menage | maintenance
experience | soudeur | welding
experience | rien | none
interests | reparer des machines | mfg_maintenance
interests | ordinateurs et reseaux | it_infrastructure
interests | jeux video | it_gaming
interests | sites web | it_web
age | oui | yes
age | j'ai 17 ans | no
age | majeur | yes
lifting | oui | yes
lifting | non | no
lifting | je sais pas | unsure
math | un peu | some
math | nul | weak
math | non | ASK
support | enfants | childcare
support | transport et argent | transport, money
support | rien | none
job_now | oui | yes
job_now | j'ai deja un travail | have_job
job_now | pas maintenant | no
hours | 10 a 20 | h15
hours | 12 heures | h15
hours | 20 | ASK
hours | moins de 5 | h3
hours | plein temps | h25
hours | vingt | ASK
school | j'ai arrete l'ecole | none
school | je suis allé à l'université | bachelor
school | j'ai un master | bachelor
school | c'est quoi le ged | NOT
english | l'anglais c'est dur | hard
english | je parle bien | easy
computer | pas d'ordi | phone_only
computer | juste excel | office
experience | j'etais serveur | customer_service
experience | entrepot et menage | production, maintenance
age | j'ai 30 ans | yes
age | j'ai 16 ans | no
lifting | bien sur | yes
math | je suis nul en maths | weak
support | garde d'enfants | childcare
support | j'ai pas de voiture | transport
job_now | j'ai besoin de travailler maintenant | yes
job_now | je travaille a mi-temps | have_job
hours | environ 15 heures | h15
hours | genre 8 | h8
hours | je sais pas | NOT
school | j'ai quitté l'école au collège | none
school | j'ai eu mon bac | high_school
english | je parle un peu | ok
english | très bien | easy
computer | juste mon portable | phone_only
experience | j'ai travaillé dans un magasin | retail
experience | serveuse dans un restaurant | customer_service
age | oui j'ai 40 ans | yes
lifting | je pense que oui | unsure
math | pas trop | NOT
support | la garde des enfants | childcare
job_now | oui tout de suite | yes
job_now | je cherche du travail | yes
hours | environ 6 heures | h8
"""

AR = """
credential | لحام | manufacturing
credential | مساعد تمريض | other
school | لم انه الثانوية | none
school | ما خلصت الثانوية | none
school | ابتدائي | none
school | الثانوية | high_school
school | انهيت الثانوية | high_school
school | ثانويه | high_school
school | نعم | ASK
school | لا | ASK
school | جامعة | bachelor
school | بكالوريوس | bachelor
school | شهادة قصيرة | credential
school | كم يكسب اللحام؟ | Q
school | مرحبا | NOT
degree_field | كمبيوتر | it
degree_field | محاسبة | other
english | سهلة | easy
english | متوسطة | ok
english | شوي | ok
english | صعبة | hard
english | ما اتكلم انجليزي | hard
computer | الجوال فقط | phone_only
computer | موبايل | phone_only
computer | وورد واكسل | office
computer | ايميل وفيسبوك | basic
computer | صحيح | NOT
experience | مصنع | production
experience | اشتغلت في مصنع | production
experience | محل ومطعم | retail, customer_service
experience | لحام | welding
experience | ما اشتغلت | none
interests | تصليح الآلات | mfg_maintenance
interests | شبكات | it_infrastructure
interests | العاب | it_gaming
interests | مواقع | it_web
age | نعم | yes
age | ايوه | yes
age | عمري 17 | no
lifting | أستطيع | yes
lifting | ما اقدر | no
lifting | ما اعرف | unsure
math | متوسط | some
math | ضعيف | weak
math | لا | ASK
support | أطفال | childcare
support | مواصلات وفلوس | transport, money
support | لا أحتاج | none
job_now | نعم | yes
job_now | عندي عمل | have_job
job_now | ليس الآن | no
hours | 12 ساعة | h15
hours | ١٢ | h15
hours | 20 | ASK
hours | أقل من 5 | h3
hours | دوام كامل | h25
school | تركت المدرسة | none
school | درست في الجامعة | bachelor
school | عندي بكالوريوس | bachelor
school | شو يعني ged | NOT
english | الانجليزي صعب | hard
english | ممتاز | easy
computer | ما عندي كمبيوتر | phone_only
computer | اكسل | office
experience | اشتغلت في مطعم | customer_service
experience | مستودع وتنظيف | production, maintenance
age | عمري 30 | yes
age | عمري 16 | no
lifting | اقدر | yes
math | ضعيف في الرياضيات | weak
support | حضانة للأطفال | childcare
support | ما عندي سيارة | transport
job_now | احتاج شغل الان | yes
job_now | اشتغل دوام جزئي | have_job
hours | حوالي 15 ساعة | h15
hours | تقريبا 8 | h8
hours | لا اعرف | NOT
school | ما كملت المدرسة | NOT
school | خلصت الثانوية | high_school
english | ضعيفة | hard
english | جيدة | easy
computer | بس الجوال | phone_only
experience | اشتغلت كاشير | retail
experience | مطعم | customer_service
age | اكيد | yes
lifting | ايوه اقدر | yes
math | ضعيف | weak
support | المواصلات | transport
job_now | لا | no
job_now | أحتاج وظيفة | yes
hours | حوالي 6 ساعات | h8
"""

SO = """
credential | alxan | manufacturing
credential | kalkaalis | other
school | dugsi sare ma dhammayn | none
school | iskuulka waan ka tagay | none
school | dugsi hoose | none
school | dugsi sare | high_school
school | dugsiga sare waan dhameeyay | high_school
school | dugsi sarre | high_school
school | haa | ASK
school | maya | ASK
school | jaamacad | bachelor
school | shahaado gaaban | credential
school | imisa ayuu qaataa alxamiye? | Q
school | salaan | NOT
degree_field | kombiyuutar | it
degree_field | ganacsi | other
english | fudud | easy
english | dhexdhexaad | ok
english | wax yar | ok
english | adag | hard
english | ingiriis ma aqaan | hard
english | adagg | hard
computer | taleefan kaliya | phone_only
computer | telefoon | phone_only
computer | word iyo excel | office
computer | iimayl iyo facebook | basic
computer | waa sax | NOT
experience | warshad | production
experience | dukaan iyo makhaayad | retail, customer_service
experience | nadiifin | maintenance
experience | alxan | welding
experience | waxba | none
interests | mashiin hagaajin | mfg_maintenance
interests | shabakado | it_infrastructure
interests | ciyaaro | it_gaming
interests | websaydh | it_web
age | haa | yes
age | maya | no
age | 17 jir | no
lifting | waan qaadi karaa | yes
lifting | ma qaadi karo | no
lifting | ma hubo | unsure
math | wax yar | some
math | xun | weak
math | maya | ASK
support | carruur | childcare
support | gaadiid iyo lacag | transport, money
support | uma baahni | none
job_now | haa | yes
job_now | shaqo waan haystaa | have_job
job_now | hadda maya | no
hours | 10 ilaa 20 | h15
hours | 12 saacadood | h15
hours | 20 | ASK
hours | ka yar 5 | h3
hours | waqti buuxa | h25
school | dugsiga waan ka tagay | none
school | jaamacad baan dhigtay | bachelor
school | shahaado jaamacadeed | bachelor
school | waa maxay ged | NOT
english | ingiriisiga waa adag yahay | hard
english | si fiican baan ugu hadlaa | easy
computer | kombiyuutar ma haysto | phone_only
computer | excel oo keliya | office
experience | makhaayad baan ka shaqeeyay | customer_service
experience | bakhaar iyo nadiifin | production, maintenance
age | 30 jir | yes
age | waxaan ahay 16 jir | no
lifting | haa waan qaadi karaa | yes
math | xisaabta waan ku xunahay | weak
support | daryeelka carruurta | childcare
support | gaari ma haysto | transport
job_now | shaqo baan u baahanahay hadda | yes
job_now | waan shaqeeyaa part time | have_job
hours | ku dhawaad 15 saacadood | h15
hours | qiyaas 8 | h8
hours | ma aqaan | NOT
school | dugsi ma dhigan | NOT
school | dugsiga sare waan dhammeeyay | high_school
english | aad u adag | hard
english | si fiican | easy
computer | taleefanka oo kaliya | phone_only
experience | dukaan ayaan ka shaqeeyay | retail
experience | warshad | production
age | haa waan ka weynahay | yes
lifting | haa | yes
math | wax yar | some
support | lacag | money
job_now | maya | no
hours | qiyaastii 6 saacadood | h8
"""

TABLES = {"es": ES, "pt": PT, "fr": FR, "ar": AR, "so": SO}

Expected = tuple[str, ...] | str | dict[str, str]
Row = tuple[str, str, Expected]


def _expected(text: str) -> Expected:
    text = text.strip()
    if text in {"ASK", "NO", "Q", "NOT"}:
        return text
    if "=" in text:
        return dict(tuple(p.strip() for p in part.split("=", 1)) for part in text.split(";"))  # type: ignore[misc]
    return tuple(p.strip() for p in text.split(","))


def rows(language: str) -> list[Row]:
    """The rows of one language's table."""
    out: list[Row] = []
    for line in TABLES[language].strip().splitlines():
        qid, typed, want = (p.strip() for p in line.split("|"))
        out.append((qid, typed, _expected(want)))
    return out
