"""Static facts for the demo schools (see /work/shared/DEMO-SCHOOL.md): subjects, hours, names."""

DISTRICT = ("Жайыл району", "Жайыльский район")

SCHOOL_1 = ("Кара-Балта шаарындагы №1 орто мектеби", "Средняя школа №1 г. Кара-Балта")
SCHOOL_2 = ("Кара-Балта шаарындагы №2 башталгыч мектеби", "Начальная школа №2 г. Кара-Балта")

# code, name_ky, name_ru, the specialty of the teacher who teaches it from grade 5
# (in grades 1–4 the class's own primary teacher takes PRIMARY_TEACHER_SUBJECTS).
SUBJECTS = (
    ("KYR-L", "Кыргыз тили", "Кыргызский язык", "kyrgyz"),
    ("KYR-LIT", "Кыргыз адабияты", "Кыргызская литература", "kyrgyz"),
    ("RUS-L", "Орус тили", "Русский язык", "russian"),
    ("RUS-LIT", "Орус адабияты", "Русская литература", "russian"),
    ("ENG", "Англис тили", "Английский язык", "english"),
    ("MATH", "Математика", "Математика", "math"),
    ("ALG", "Алгебра", "Алгебра", "math"),
    ("GEOM", "Геометрия", "Геометрия", "math"),
    ("INF", "Информатика", "Информатика", "informatics"),
    ("NAT", "Табият таануу", "Природоведение", "geography"),
    ("PHYS", "Физика", "Физика", "physics"),
    ("CHEM", "Химия", "Химия", "chemistry"),
    ("BIO", "Биология", "Биология", "biology"),
    ("GEO", "География", "География", "geography"),
    ("HIST-KG", "Кыргызстан тарыхы", "История Кыргызстана", "history"),
    ("HIST-W", "Дүйнө тарыхы", "Всемирная история", "history"),
    ("SOC", "Адам жана коом", "Человек и общество", "history"),
    ("HOME", "Мекен таануу", "Родиноведение", "primary"),
    ("TECH", "Технология", "Технология", "technology"),
    ("ART", "Көркөм өнөр", "Изобразительное искусство", "art"),
    ("MUS", "Музыка", "Музыка", "music"),
    ("PE", "Дене тарбия", "Физическая культура", "pe"),
    ("OBZH", "Турмуш-тиричилик коопсуздугунун негиздери",
     "Основы безопасности жизнедеятельности", "primary"),
    ("NVP", "Аскердик даярдыктын негиздери", "Начальная военная подготовка", "nvp"),
)

# Weekly hours by grade 1 → 11 in a class taught in Kyrgyz; sums are the weekly load
# 20, 22, 24, 25, 29, 30, 30, 30, 30, 29, 30. A Russian class swaps the language rows.
HOURS = {
    "KYR-L":   (6, 7, 7, 7, 4, 4, 3, 3, 3, 2, 2),
    "KYR-LIT": (0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2),
    "RUS-L":   (3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2),
    "RUS-LIT": (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "ENG":     (0, 0, 2, 2, 3, 3, 3, 2, 2, 2, 3),
    "MATH":    (4, 4, 5, 5, 5, 5, 0, 0, 0, 0, 0),
    "ALG":     (0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3),
    "GEOM":    (0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2),
    "INF":     (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "NAT":     (0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0),
    "PHYS":    (0, 0, 0, 0, 0, 0, 2, 2, 3, 3, 3),
    "CHEM":    (0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2),
    "BIO":     (0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2),
    "GEO":     (0, 0, 0, 0, 0, 1, 1, 2, 1, 1, 0),
    "HIST-KG": (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "HIST-W":  (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "SOC":     (0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1),
    "HOME":    (2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0),
    "TECH":    (0, 0, 0, 0, 2, 2, 1, 1, 1, 0, 0),
    "ART":     (1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
    "MUS":     (1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
    "PE":      (2, 3, 2, 3, 2, 2, 2, 2, 2, 2, 2),
    "OBZH":    (1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0),
    "NVP":     (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2),
}
RUSSIAN_CLASS_SWAP = {"KYR-L": "RUS-L", "RUS-L": "KYR-L",
                      "KYR-LIT": "RUS-LIT", "RUS-LIT": "KYR-LIT"}
NATIVE_LANGUAGE = {"ky": "KYR-L", "ru": "RUS-L"}
PRIMARY_TEACHER_SUBJECTS = ("MATH", "HOME", "ART", "OBZH")  # plus the native language
SPLIT_SUBJECTS = ("ENG", "INF")  # taught in two subgroups from grade 5
SPLIT_FROM_GRADE = 5
SUBGROUP_NAMES = ("1", "2")

# Subject teachers per school: (specialties, how many). Primary teachers: one per class of 1–4.
STAFF_1 = (
    (("kyrgyz",), 3), (("russian",), 3), (("english",), 4), (("math",), 4),
    (("informatics",), 2), (("geography",), 1), (("biology",), 1), (("chemistry",), 1),
    (("physics",), 1), (("history",), 2), (("technology", "art"), 1), (("music",), 1),
    (("pe",), 2), (("nvp",), 1),
)
STAFF_2 = ((("russian",), 1), (("english",), 1), (("music", "pe"), 1))

# Who becomes class teacher of a class of 5–11 first (math teachers last, so the demo
# "teacher", who teaches mathematics, is never the demo "homeroom").
CLASS_TEACHER_PREFERENCE = (
    "native", "history", "biology", "geography", "english", "chemistry", "physics",
    "informatics", "technology", "music", "pe", "nvp", "math",
)

# Names. Male given names double as fathers' names (patronymics are derived from them).
KY_MALE = (
    "Азамат", "Айбек", "Адилет", "Бакыт", "Бекзат", "Данияр", "Эмир", "Эрлан", "Нурислам",
    "Нурлан", "Тимур", "Улан", "Медер", "Нурбек", "Талант", "Марат", "Канат", "Алмаз",
    "Максат", "Эркин", "Руслан", "Жумабек", "Рысбек", "Асан", "Камалидин", "Орозбек", "Бектур",
    "Нурсултан", "Арстан", "Эльдар",
)
KY_FEMALE = (
    "Айгүл", "Айдана", "Айжан", "Айпери", "Асель", "Бегимай", "Жылдыз", "Мээрим", "Нурай",
    "Нургүл", "Элнура", "Гүлнара", "Айзада", "Чолпон", "Динара", "Алтынай", "Назгүл",
    "Салтанат", "Айнура", "Бурул", "Адинай", "Айсезим", "Аружан", "Сезим", "Нурзат", "Акмарал",
)
KY_SURNAMES = (
    "Асанов", "Абдыкадыров", "Бейшеналиев", "Жумабеков", "Исаков", "Кадыров", "Мамбетов",
    "Осмонов", "Сыдыков", "Токтогулов", "Турдубаев", "Орозбеков", "Алымкулов", "Эсенов",
    "Шамшиев", "Сатыбалдиев",
)
RU_MALE = ("Артём", "Александр", "Максим", "Дмитрий", "Иван", "Сергей", "Андрей", "Алексей",
           "Владимир", "Игорь", "Виктор", "Олег", "Евгений", "Михаил")
RU_FEMALE = ("Алина", "Анастасия", "Дарья", "Полина", "Виктория", "Екатерина", "Ольга",
             "Елена", "Татьяна", "Наталья", "Ирина", "Светлана")
IRREGULAR_PATRONYMIC_STEMS = {"Михаил": "Михайлов", "Евгений": "Евгеньев"}
RU_SURNAMES = ("Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Морозов",
               "Волков", "Лебедев", "Новиков", "Фёдоров", "Никитин")
UZ_MALE = ("Шохрух", "Бехруз", "Жасур", "Отабек", "Санжар", "Рустам", "Улугбек", "Фархад",
           "Шерзод", "Бахтиёр")
UZ_FEMALE = ("Дилноза", "Малика", "Нилуфар", "Севара", "Зарина", "Мадина", "Гулноза")
UZ_SURNAMES = ("Юсупов", "Каримов", "Рахимов", "Усманов", "Абдуллаев", "Турсунов")
KO_SURNAMES = ("Ким", "Пак", "Ли", "Цой", "Тен", "Хван")  # the same for men and women
DU_MALE = ("Хасан", "Юсуп", "Исмаил", "Мухамед", "Ибрагим")
DU_FEMALE = ("Фатима", "Айша", "Зухра", "Амина")
DU_SURNAMES = ("Имазов", "Мансуров", "Сулейманов", "Хазизов")

# Who sits in a Russian-medium class: (origin, weight).
RU_CLASS_ORIGINS = (("kyrgyz", 45), ("russian", 28), ("uzbek", 12), ("korean", 9), ("dungan", 6))

# The people behind the nine demo logins: (family, given, patronymic).
DEMO_CLASS = (7, "А")            # the class of `student`, School No. 1
DEMO_SIBLING_CLASS = (4, "А")    # the class of the student's younger brother
DEMO_PARENT2_CLASS = (8, "Б")    # the class of `parent2`'s child (Russian-medium)
DEMO_TEACHERPARENT_CLASS = (3, "А")  # School No. 2
DEMO_NAMES = {
    "director": ("Осмонова", "Гүлнара", "Токтогуловна"),
    "deputy": ("Абдыкадыров", "Эрлан", "Исакович"),
    "homeroom": ("Исакова", "Жылдыз", "Орозбековна"),
    "teacher": ("Турдубаев", "Улан", "Бекзатович"),
    "teacher2": ("Кадырова", "Мээрим", "Данияровна"),
    "teacherparent": ("Бейшеналиева", "Нургүл", "Азаматовна"),
    "student": (None, "Айпери", "Нурлан кызы"),
    "parent": ("Жумабекова", "Айгүл", "Рысбековна"),
    "parent2": ("Мамбетова", "Элнура", "Сыдыковна"),
}
DEMO_RELATIVES = {
    "student_brother": (None, "Эмир", "Нурлан уулу"),
    "student_father": (None, "Нурлан", "Камалидин уулу"),
    "parent2_child": ("Мамбетов", "Данияр", "Нурланович"),
    "teacherparent_child": ("Бейшеналиев", "Адилет", "Тимурович"),
    "teacherparent_husband": ("Бейшеналиев", "Тимур", "Уланович"),
}
DEMO_LOGINS = ("director", "deputy", "homeroom", "teacher", "teacher2", "student", "parent",
               "parent2", "teacherparent")

# The year's shape (month, day), after the Ministry's 2025–26 order; September–December fall
# in the year the school year starts, January–August in the next.
QUARTERS = (((9, 1), (11, 4)), ((11, 10), (12, 30)), ((1, 12), (3, 1)), ((3, 9), (5, 29)))
HALVES = (((9, 1), (12, 30)), ((1, 12), (5, 29)))
HALF_YEAR_FROM_GRADE = 10
HOLIDAYS = (  # kind, first grade, last grade (None: the school's top grade), from, to
    ("autumn", 1, None, (11, 5), (11, 9)),
    ("winter", 1, None, (12, 31), (1, 11)),
    ("extra", 1, 1, (2, 9), (2, 22)),
    ("spring", 1, None, (3, 2), (3, 7)),
)
YEAR_END = (5, 31)

# Shifts: number, first bell (hour, minute), lessons; breaks after lesson 1, 2, 3, …
SHIFTS = ((1, (8, 0), 7), (2, (13, 0), 6))
LESSON_MINUTES = 45
BREAKS = (5, 10, 20, 5, 5, 5)
SECOND_SHIFT_GRADES = (1, 2, 3, 4, 6)  # School No. 1; School No. 2 is all first shift
