#!/usr/bin/env python3
"""Generate the GroupQwen routing prompt set (routing-set.jsonl).

A graded set of chat prompts used to evaluate and calibrate the model router: every item carries
its own completion budget, a grader spec (see README.md) and a reference answer that the grader
accepts. Written for this project; all variable parts come from random.Random(2026), so running
this script twice gives byte-identical output. Python standard library only.

    python3 make_set.py            # write routing-set.jsonl next to this script
    python3 make_set.py --check    # regenerate, then verify every reference with the graders below
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from fractions import Fraction
import random

SEED = 2026
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(HERE, "routing-set.jsonl")
MIN_ITEMS = 330

CATEGORIES = ["chit_chat", "facts", "arithmetic", "reasoning", "extraction",
              "instruction", "code", "multilingual"]
DIFFICULTIES = ["easy", "medium", "hard"]

# Budget ranges per category (inclusive), checked by --check.
BUDGETS = {
    "chit_chat": (64, 64),
    "facts": (48, 96),
    "arithmetic": (64, 128),
    "reasoning": (128, 256),
    "extraction": (48, 96),
    "instruction": (48, 96),
    "code": (320, 320),
    "multilingual": (48, 128),
}


def U(text):
    return {"role": "user", "content": text}


def A(text):
    return {"role": "assistant", "content": text}


def S(text):
    return {"role": "system", "content": text}


def fmt_num(v):
    """Number -> shortest exact text (ints without a decimal point)."""
    if isinstance(v, Fraction):
        v = int(v) if v.denominator == 1 else float(v)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def num_value(v):
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else float(v)
    return v


class SetBuilder:
    def __init__(self):
        self.items = []
        self.counters = Counter()
        self.seen = set()

    def add(self, category, difficulty, messages, max_tokens, grader, reference):
        """Append one item; returns False (and adds nothing) for a duplicate conversation."""
        if isinstance(messages, str):
            messages = [U(messages)]
        key = (category, json.dumps(messages, ensure_ascii=False))
        if key in self.seen:
            return False
        self.seen.add(key)
        self.counters[category] += 1
        self.items.append({
            "id": "%s-%03d" % (category, self.counters[category]),
            "category": category,
            "difficulty": difficulty,
            "messages": messages,
            "max_tokens": max_tokens,
            "grader": grader,
            "reference": reference,
        })
        return True


# ---------------------------------------------------------------------------------------------
# grader constructors

def g_contains(any_, all_=None, none=None):
    g = {"type": "contains", "any": list(any_)}
    if all_:
        g["all"] = list(all_)
    if none:
        g["none"] = list(none)
    return g


def g_number(value, tolerance=None):
    g = {"type": "number", "value": num_value(value)}
    if tolerance is not None:
        g["tolerance"] = tolerance
    return g


def g_option(letter):
    return {"type": "option", "answer": letter}


def g_regex(pattern, flags="", match="full"):
    return {"type": "regex", "pattern": pattern, "flags": flags, "match": match}


def g_json(keys):
    return {"type": "json", "keys": keys}


def g_python(entry_point, tests):
    return {"type": "python", "entry_point": entry_point, "tests": "\n".join(tests)}


def g_reply(any_=None):
    g = {"type": "reply"}
    if any_:
        g["any"] = list(any_)
    return g


# ---------------------------------------------------------------------------------------------
# shared pools

FIRST_NAMES = ["Ann", "Bob", "Carla", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas",
               "Kira", "Liam", "Maya", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara"]
LAST_NAMES = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad", "Novak", "Brennan",
              "Costa", "Fischer", "Rahman", "Delgado", "Ivanova", "Mbeki", "Larsen", "Schmidt"]
DOMAINS = ["example.com", "northwind.io", "acme-corp.net", "bluefin.org", "mailbox.dev",
           "harborlabs.co"]
CITIES = ["Lisbon", "Toronto", "Nairobi", "Osaka", "Krakow", "Denver", "Melbourne", "Bergen",
          "Valencia", "Seoul", "Quito", "Tunis"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ordinal(n):
    if 10 <= n % 100 <= 20:
        suf = "th"
    else:
        suf = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return "%d%s" % (n, suf)


def date_variants(y, m, d):
    mn = MONTHS[m - 1]
    return [
        "%s %d, %d" % (mn, d, y), "%s %d %d" % (mn, d, y), "%d %s %d" % (d, mn, y),
        "%d %s, %d" % (d, mn, y), "%s %s, %d" % (mn, ordinal(d), y), "%s %s %d" % (ordinal(d), mn, y),
        "%s %s %d" % (mn, ordinal(d), y), "%s of %s %d" % (ordinal(d), mn, y),
        "%04d-%02d-%02d" % (y, m, d), "%d/%d/%d" % (m, d, y), "%02d/%02d/%d" % (m, d, y),
    ]


# ---------------------------------------------------------------------------------------------
# chit_chat

def build_chit_chat(b, rng):
    simple = [
        ("Hi!", "Hi there! How can I help you today?", None),
        ("Hello, how are you?", "I'm doing well, thank you for asking! How are you?", None),
        ("Good morning!", "Good morning! I hope your day is off to a great start.", None),
        ("Thanks a lot for your help!", "You're very welcome! Happy to help anytime.", None),
        ("Tell me a fun fact about cats.",
         "Cats sleep for about 12 to 16 hours a day, so they spend around two thirds of their lives asleep!", None),
        ("Tell me a fun fact about octopuses.", "Octopuses have three hearts and blue blood!", None),
        ("Can you tell me a short joke?",
         "Why don't scientists trust atoms? Because they make up everything!", None),
        ("What's a good name for a goldfish?",
         "How about Bubbles? It's cheerful and suits a goldfish perfectly.", None),
        ("I just adopted a puppy!",
         "Congratulations! Puppies are so much fun. What's their name?", None),
        ("Have a great weekend!", "Thank you, you too! Enjoy your weekend.", None),
        ("I'm feeling a bit bored. Any quick ideas?",
         "You could go for a short walk, try a new recipe, or call a friend you haven't talked to in a while.", None),
        ("Say hello back to me in one short sentence.", "Hello to you too!", ["hello", "hi"]),
        ("What's your favorite color?",
         "I don't have personal favorites, but lots of people love blue because it feels calm.", None),
        ("Goodnight!", "Goodnight! Sleep well and sweet dreams.", None),
        ("How's it going?", "It's going well, thanks! What can I do for you?", None),
        ("Nice to meet you!", "Nice to meet you too!", None),
        ("Tell me something interesting about space in one sentence.",
         "A day on Venus is longer than its whole year.", None),
        ("I passed my driving test today!",
         "Congratulations! That's a big achievement. Enjoy your new freedom on the road!", None),
        ("What's a fun hobby I could start this weekend?",
         "Try sketching: all you need is a pencil and some paper, and it's very relaxing.", None),
        ("Can you cheer me up? I had a long day.",
         "I'm sorry your day was so long. You made it through, and tomorrow is a fresh start. "
         "Maybe treat yourself to something nice tonight!", None),
        ("Give me a compliment.",
         "You're curious and you ask good questions, and that's how people keep growing.", None),
        ("Tell me a fun fact about honey.",
         "Honey never spoils: edible honey has been found in ancient Egyptian tombs.", None),
        ("Bonjour! Can you greet me back in French?", "Bonjour ! Comment ça va ?", ["bonjour", "salut"]),
        ("What do you like to talk about?",
         "I enjoy talking about almost anything: science, books, travel, cooking. What interests you?", None),
        ("Recommend a good movie for a rainy evening.",
         "How about 'The Princess Bride'? It's funny, adventurous and cozy.", None),
        ("It's my birthday today!", "Happy birthday! I hope you have a wonderful day.", ["birthday"]),
        ("Tell me a fun fact about penguins.",
         "Emperor penguins can dive deeper than 500 meters while hunting.", None),
        ("Thanks, that's all for now. Bye!", "You're welcome! Goodbye and take care.", None),
        ("Happy new year!", "Happy New Year to you too! Wishing you a great year ahead.", ["new year"]),
    ]
    for prompt, ref, any_ in simple:
        b.add("chit_chat", "easy", prompt, 64, g_reply(any_), ref)

    b.add("chit_chat", "medium",
          [U("Hi, I'm Sam."), A("Hi Sam! Nice to meet you. How can I help?"),
           U("Do you remember my name?")],
          64, g_reply(["Sam"]), "Yes, your name is Sam!")
    b.add("chit_chat", "easy",
          [S("You are a friendly assistant for a small coffee shop."),
           U("Hey! What's a good drink for a cold day?")],
          64, g_reply(), "A hot chocolate or a spiced chai latte would be perfect for warming up!")
    b.add("chit_chat", "easy",
          [U("I love hiking."), A("That's great! Hiking is a wonderful way to enjoy nature."),
           U("Any tip for a beginner?")],
          64, g_reply(),
          "Start with short, well-marked trails, wear comfortable shoes and bring plenty of water.")


# ---------------------------------------------------------------------------------------------
# facts

def build_facts(b, rng):
    C, N, R = "c", "n", "r"   # contains / number / regex (case-sensitive symbol)
    city = " Answer with just the city name."
    name = " Answer with just the name."
    num = " Answer with just the number."
    word = " Answer with one or two words."
    sym = " Answer with just the symbol."
    facts = [
        # easy
        ("easy", C, "What is the capital of France?" + city, ["Paris"], "Paris"),
        ("easy", C, "What is the capital of Japan?" + city, ["Tokyo"], "Tokyo"),
        ("easy", C, "What is the capital of Italy?" + city, ["Rome", "Roma"], "Rome"),
        ("easy", C, "What is the capital of Germany?" + city, ["Berlin"], "Berlin"),
        ("easy", C, "What is the capital of Spain?" + city, ["Madrid"], "Madrid"),
        ("easy", C, "What is the chemical formula of water?" + " Answer with just the formula.",
         ["H2O", "H₂O"], "H2O"),
        ("easy", R, "What is the chemical symbol for gold?" + sym, r"\bAu\b", "Au"),
        ("easy", C, "Which planet is known as the Red Planet?" + word, ["Mars"], "Mars"),
        ("easy", C, "What is the largest planet in our solar system?" + word, ["Jupiter"], "Jupiter"),
        ("easy", C, "Who wrote 'Romeo and Juliet'?" + name, ["Shakespeare"], "William Shakespeare"),
        ("easy", N, "How many continents are there on Earth?" + num, 7, "7"),
        ("easy", N, "At how many degrees Celsius does water freeze at sea level?" + num, 0, "0"),
        ("easy", N, "How many days are there in a leap year?" + num, 366, "366"),
        ("easy", C, "What is the largest ocean on Earth?" + word, ["Pacific"], "The Pacific Ocean"),
        ("easy", C, "Who painted the Mona Lisa?" + name, ["Leonardo", "Vinci"], "Leonardo da Vinci"),
        ("easy", N, "At how many degrees Celsius does water boil at sea level?" + num, 100, "100"),
        ("easy", C, "Which gas do plants absorb from the air for photosynthesis?" + word,
         ["carbon dioxide", "CO2", "CO₂"], "Carbon dioxide"),
        ("easy", N, "How many legs does a spider have?" + num, 8, "8"),
        ("easy", C, "What is the currency of Japan?" + word, ["yen", "円"], "The yen"),
        ("easy", N, "How many planets are there in our solar system?" + num, 8, "8"),
        # medium
        ("medium", C, "What is the capital of Australia?" + city, ["Canberra"], "Canberra"),
        ("medium", C, "What is the capital of Brazil?" + city, ["Brasília", "Brasilia"], "Brasília"),
        ("medium", C, "What is the capital of Turkey?" + city, ["Ankara"], "Ankara"),
        ("medium", C, "What is the capital of Switzerland?" + city, ["Bern"], "Bern"),
        ("medium", C, "What is the capital of New Zealand?" + city, ["Wellington"], "Wellington"),
        ("medium", R, "What is the chemical symbol for sodium?" + sym, r"\bNa\b", "Na"),
        ("medium", R, "What is the chemical symbol for iron?" + sym, r"\bFe\b", "Fe"),
        ("medium", C, "Which chemical element has the atomic number 79?" + word, ["gold"], "Gold"),
        ("medium", C, "Who wrote the novel '1984'?" + name, ["Orwell"], "George Orwell"),
        ("medium", C, "Who wrote 'Pride and Prejudice'?" + name, ["Austen"], "Jane Austen"),
        ("medium", C, "Who developed the theory of relativity?" + name, ["Einstein"], "Albert Einstein"),
        ("medium", C, "Who is credited with inventing the telephone?" + name, ["Bell"],
         "Alexander Graham Bell"),
        ("medium", C, "Which planet is closest to the Sun?" + word, ["Mercury"], "Mercury"),
        ("medium", C, "What is the tallest mountain on Earth above sea level?" + word, ["Everest"],
         "Mount Everest"),
        ("medium", C, "Which part of the cell is known as its powerhouse?" + word, ["mitochondri"],
         "The mitochondria"),
        ("medium", N, "In which year did World War II end?" + num, 1945, "1945"),
        ("medium", N, "In which year did humans first land on the Moon?" + num, 1969, "1969"),
        ("medium", C, "What is the SI unit of force?" + word, ["newton"], "The newton"),
        ("medium", C, "What is the SI unit of electric current?" + word, ["ampere", "amp"],
         "The ampere"),
        ("medium", N, "How many bones are there in the adult human body?" + num, 206, "206"),
        ("medium", C, "What is the largest hot desert in the world?" + word, ["Sahara"], "The Sahara"),
        ("medium", C, "Who wrote 'On the Origin of Species'?" + name, ["Darwin"], "Charles Darwin"),
        ("medium", N, "How many chromosomes does a typical human body cell have?" + num, 46, "46"),
        ("medium", C, "Who composed 'The Four Seasons'?" + name, ["Vivaldi"], "Antonio Vivaldi"),
        ("medium", N, "In which year did the French Revolution begin?" + num, 1789, "1789"),
        ("medium", C, "Who was the first human to travel into space?" + name, ["Gagarin"],
         "Yuri Gagarin"),
        # hard
        ("hard", C, "What is the capital of Kazakhstan?" + city, ["Astana", "Nur-Sultan", "Nursultan"],
         "Astana"),
        ("hard", C, "Who wrote 'The Master and Margarita'?" + name, ["Bulgakov", "Boulgakov"],
         "Mikhail Bulgakov"),
        ("hard", C, "What is the capital of Mongolia?" + city,
         ["Ulaanbaatar", "Ulan Bator", "Ulaan Baatar", "Ulan-Bator"], "Ulaanbaatar"),
        ("hard", C, "What is the capital of Myanmar?" + city,
         ["Naypyidaw", "Nay Pyi Taw", "Naypyitaw", "Nay Pyi Daw"], "Naypyidaw"),
        ("hard", C, "What is the capital of Burkina Faso?" + city, ["Ouagadougou"], "Ouagadougou"),
        ("hard", R, "What is the chemical symbol for tungsten?" + sym, r"\bW\b", "W"),
        ("hard", R, "What is the chemical symbol for potassium?" + sym, r"\bK\b", "K"),
        ("hard", R, "What is the chemical symbol for tin?" + sym, r"\bSn\b", "Sn"),
        ("hard", C, "Who wrote 'One Hundred Years of Solitude'?" + name, ["Márquez", "Marquez"],
         "Gabriel García Márquez"),
        ("hard", C, "Who wrote 'Crime and Punishment'?" + name,
         ["Dostoevsk", "Dostoyevsk", "Dostoievsk", "Dostojevsk"], "Fyodor Dostoevsky"),
        ("hard", N, "In which year did the Berlin Wall fall?" + num, 1989, "1989"),
        ("hard", N, "In which year was the Battle of Hastings fought?" + num, 1066, "1066"),
        ("hard", C, "What is the SI unit of magnetic flux?" + word, ["weber"], "The weber"),
        ("hard", C, "Who discovered penicillin?" + name, ["Fleming"], "Alexander Fleming"),
        ("hard", C, "What is the largest moon of Saturn?" + word, ["Titan"], "Titan"),
        ("hard", C, "What is the name of the protein in red blood cells that carries oxygen?" + word,
         ["hemoglobin", "haemoglobin"], "Hemoglobin"),
        ("hard", C, "What is the name of the deepest oceanic trench on Earth?" + word, ["Mariana"],
         "The Mariana Trench"),
    ]
    for diff, kind, q, ans, ref in facts:
        if kind == C:
            g = g_contains(ans)
        elif kind == N:
            g = g_number(ans)
        else:
            g = g_regex(ans, "", "search")
        b.add("facts", diff, q, 64 if diff != "hard" else 96, g, ref)

    b.add("facts", "easy",
          [S("You are a concise geography tutor. Answer in as few words as possible."),
           U("What is the capital of Canada?")],
          48, g_contains(["Ottawa"]), "Ottawa")
    b.add("facts", "medium",
          [U("Who wrote 'Pride and Prejudice'?"), A("Jane Austen wrote 'Pride and Prejudice'."),
           U("In which country was she born? Answer with just the country.")],
          64, g_contains(["England", "United Kingdom", "UK", "Britain"]), "England")
    b.add("facts", "medium",
          [U("What is the largest planet in our solar system?"), A("Jupiter."),
           U("And which planet is the second largest? Answer with just the planet name.")],
          64, g_contains(["Saturn"]), "Saturn")


# ---------------------------------------------------------------------------------------------
# arithmetic

def build_arithmetic(b, rng):
    JUST = " Answer with just the number."
    cat = "arithmetic"

    def add(diff, q, value, budget=None):
        budget = budget or {"easy": 64, "medium": 96, "hard": 128}[diff]
        return b.add(cat, diff, q + JUST, budget, g_number(value), fmt_num(value))

    def times():
        return rng.choice(["×", "*", "times"])

    # easy (20)
    n = 0
    while n < 6:
        a, c = rng.randint(2, 20), rng.randint(2, 20)
        n += add("easy", "What is %d + %d?" % (a, c), a + c)
    n = 0
    while n < 4:
        a = rng.randint(10, 60)
        c = rng.randint(2, a - 1)
        n += add("easy", "What is %d - %d?" % (a, c), a - c)
    n = 0
    while n < 6:
        a, c = rng.randint(2, 12), rng.randint(2, 12)
        n += add("easy", "What is %d %s %d?" % (a, times(), c), a * c)
    n = 0
    while n < 4:
        c, q = rng.randint(2, 10), rng.randint(2, 12)
        n += add("easy", "What is %d divided by %d?" % (c * q, c), q)

    # medium (20)
    n = 0
    while n < 4:
        a, c = rng.randint(13, 99), rng.randint(3, 9)
        n += add("medium", "What is %d %s %d?" % (a, times(), c), a * c)
    n = 0
    while n < 3:
        a, c = rng.randint(100, 999), rng.randint(100, 999)
        n += add("medium", "What is %d + %d?" % (a, c), a + c)
    n = 0
    while n < 3:
        a = rng.randint(300, 999)
        c = rng.randint(45, a - 20)
        n += add("medium", "What is %d - %d?" % (a, c), a - c)
    n = 0
    while n < 3:
        p = rng.choice([10, 20, 25, 50])
        base = rng.randrange(40, 400, 20)
        n += add("medium", "What is %d%% of %d?" % (p, base), Fraction(p * base, 100))
    n = 0
    while n < 3:
        a, c, d = rng.randint(2, 30), rng.randint(2, 9), rng.randint(2, 9)
        n += add("medium", "What is %d + %d × %d?" % (a, c, d), a + c * d)
    n = 0
    while n < 2:
        a = rng.randint(11, 25)
        n += add("medium", "What is %d squared?" % a, a * a)
    n = 0
    while n < 2:
        name = rng.choice(FIRST_NAMES)
        have, give = rng.randint(15, 40), rng.randint(3, 12)
        buy = rng.randint(5, 20)
        n += add("medium", "%s has %d apples, gives %d to a friend and then buys %d more. "
                 "How many apples does %s have now?" % (name, have, give, buy, name),
                 have - give + buy)

    # hard (20)
    n = 0
    while n < 4:
        a, c = rng.randint(120, 999), rng.randint(12, 99)
        n += add("hard", "What is %d %s %d?" % (a, times(), c), a * c)
    n = 0
    while n < 3:
        p = rng.choice([15, 35, 12, 45, 8, 65])
        base = rng.randrange(120, 990, 10)
        n += add("hard", "What is %d%% of %d?" % (p, base), Fraction(p * base, 100))
    n = 0
    while n < 3:
        a, c, d, e = rng.randint(11, 49), rng.randint(11, 49), rng.randint(3, 9), rng.randint(5, 60)
        n += add("hard", "What is (%d + %d) × %d - %d?" % (a, c, d, e), (a + c) * d - e)
    n = 0
    while n < 2:
        a, c = rng.randint(100, 999), rng.randint(7, 23)
        if a % c == 0:
            continue
        n += add("hard", "What is the remainder when %d is divided by %d?" % (a, c), a % c)
    n = 0
    while n < 2:
        a, c = rng.randint(38, 180), rng.randint(181, 600)
        n += add("hard", "What is %d - %d?" % (a, c), a - c)
    # word problems
    p1, p2 = rng.randint(2, 6), rng.randint(3, 9)
    q1, q2 = rng.randint(2, 6), rng.randint(1, 4)
    cost = p1 * q1 + p2 * q2
    bill = 50 if cost < 50 else 100
    add("hard", "A shop sells pens at %d dollars each and notebooks at %d dollars each. Maya buys %d "
        "pens and %d notebooks and pays with a %d-dollar bill. How much change does she get, in "
        "dollars?" % (p1, p2, q1, q2, bill), bill - cost)
    eggs, box = rng.randint(200, 500), 12
    while eggs % box == 0:
        eggs += 1
    add("hard", "A farm has %d eggs and packs them into boxes of %d. How many boxes can be filled "
        "completely?" % (eggs, box), eggs // box)
    speed, hours = rng.randrange(40, 121, 10), rng.choice([2, 3, 4]) + Fraction(1, 2)
    add("hard", "A train travels at a constant %d km/h for %s hours. How many kilometres does it "
        "cover?" % (speed, fmt_num(hours)), speed * hours)
    xs = [rng.randint(50, 99) for _ in range(3)]
    last = rng.randint(50, 96)
    last += (-(sum(xs) + last)) % 4
    xs.append(last)
    add("hard", "What is the average of %d, %d, %d and %d?" % tuple(xs), Fraction(sum(xs), 4))
    save, weeks, spend = rng.randint(12, 40), rng.randint(8, 20), rng.randint(30, 90)
    add("hard", "Leo saves %d dollars every week for %d weeks, then spends %d dollars on a gift. "
        "How many dollars does he have left?" % (save, weeks, spend), save * weeks - spend)
    pages, per_day = rng.randint(180, 420), rng.randint(15, 35)
    while pages % per_day == 0:
        pages += 1
    add("hard", "A book has %d pages. Nora reads %d pages a day. How many days does she need to "
        "finish the book?" % (pages, per_day), -(-pages // per_day))

    # two follow-ups
    a, c, d = rng.randint(11, 19), rng.randint(3, 9), rng.randint(11, 30)
    b.add(cat, "medium",
          [U("What is %d × %d?" % (a, c)), A("%d" % (a * c)),
           U("Now add %d to that." % d + JUST)],
          96, g_number(a * c + d), str(a * c + d))
    c, q = rng.randint(11, 19), rng.randint(11, 19)
    b.add(cat, "easy",
          [S("You are a calculator. Reply with only the numeric result."),
           U("What is %d divided by %d?" % (c * q, c))],
          64, g_number(q), str(q))


# ---------------------------------------------------------------------------------------------
# reasoning

MC_QUESTIONS = [
    ("easy", "Which of these numbers is prime?", "29", ["21", "27", "33"],
     "29 has no divisors other than 1 and itself."),
    ("easy", "What comes next in the sequence 2, 4, 8, 16, ...?", "32", ["24", "30", "20"],
     "each term doubles, and 16 doubled is 32."),
    ("easy", "Which word is the odd one out?", "carrot", ["apple", "banana", "grape"],
     "a carrot is a vegetable, the others are fruits."),
    ("easy", "Which weighs more: a kilogram of feathers or a kilogram of iron?",
     "They weigh the same", ["The feathers", "The iron", "It depends on the weather"],
     "both weigh one kilogram."),
    ("easy", "Fork is to eat as pen is to ...?", "write", ["paper", "ink", "read"],
     "a fork is used to eat and a pen is used to write."),
    ("easy", "How many minutes are there in 2.5 hours?", "150", ["120", "250", "180"],
     "2.5 times 60 is 150."),
    ("easy", "Which shape has the most sides?", "octagon", ["pentagon", "hexagon", "heptagon"],
     "an octagon has eight sides."),
    ("easy", "Which word is the opposite of 'ancient'?", "modern", ["old", "historic", "antique"],
     "ancient means very old, modern means new."),
    ("medium", "If all bloops are razzies and all razzies are lazzies, which statement must be true?",
     "All bloops are lazzies", ["All lazzies are bloops", "No bloops are lazzies",
                                "Some razzies are not lazzies"],
     "every bloop is a razzie and every razzie is a lazzie."),
    ("medium", "Mary's father has five daughters: Nana, Nene, Nini and Nono. What is the name of the "
     "fifth daughter?", "Mary", ["Nunu", "Nana", "It cannot be known"],
     "the question itself says Mary's father, so the fifth daughter is Mary."),
    ("medium", "What comes next: 1, 1, 2, 3, 5, 8, ...?", "13", ["11", "12", "16"],
     "each term is the sum of the two before it, 5 + 8 = 13."),
    ("medium", "A train leaves at 9:45 and the trip takes 2 hours 30 minutes. When does it arrive?",
     "12:15", ["11:15", "12:45", "12:00"], "9:45 plus 2:30 is 12:15."),
    ("medium", "Which of these values is the largest?", "5/8", ["0.5", "3/5", "0.55"],
     "5/8 is 0.625, which beats 0.6, 0.55 and 0.5."),
    ("medium", "In a race, you overtake the runner in second place. What place are you in now?",
     "Second", ["First", "Third", "Last"], "you take the place of the runner you passed."),
    ("medium", "Which of these years was a leap year?", "2000", ["1900", "2100", "2023"],
     "2000 is divisible by 400; 1900 and 2100 are century years not divisible by 400."),
    ("medium", "If yesterday was Saturday, what day will it be the day after tomorrow?", "Tuesday",
     ["Monday", "Wednesday", "Sunday"], "today is Sunday, so the day after tomorrow is Tuesday."),
    ("hard", "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much "
     "does the ball cost?", "5 cents", ["10 cents", "15 cents", "1 dollar"],
     "ball x, bat x + 1.00, so 2x + 1.00 = 1.10 and x = 0.05."),
    ("hard", "All roses are flowers. Some flowers fade quickly. Which conclusion is certain?",
     "None of the other three conclusions is certain",
     ["All roses fade quickly", "Some roses fade quickly", "No roses fade quickly"],
     "the flowers that fade quickly need not include any roses."),
    ("hard", "If 5 machines take 5 minutes to make 5 widgets, how long do 100 machines take to make "
     "100 widgets?", "5 minutes", ["100 minutes", "20 minutes", "1 minute"],
     "each machine makes one widget in 5 minutes."),
    ("hard", "A patch of lily pads doubles in size every day. It covers the whole lake after 48 days. "
     "After how many days does it cover half of the lake?", "47", ["24", "46", "36"],
     "it doubles from half to full on the last day."),
    ("hard", "Tom is twice as old as his sister. In 6 years he will be 1.5 times as old as she will "
     "be. How old is Tom now?", "12", ["6", "18", "10"],
     "2s + 6 = 1.5(s + 6) gives s = 6, so Tom is 12."),
    ("hard", "Three boxes are labeled 'apples', 'oranges' and 'mixed', and every label is wrong. You "
     "may take one fruit from one box without looking inside. Which box should you pick from to "
     "relabel all boxes correctly?", "The box labeled 'mixed'",
     ["The box labeled 'apples'", "The box labeled 'oranges'", "It is impossible with one fruit"],
     "the box labeled mixed holds only one kind, and that fixes the other two labels."),
]

SYLLOGISMS = [
    ("easy", "All mammals are warm-blooded. Whales are mammals. Are whales warm-blooded?", True),
    ("easy", "No reptiles have fur. A snake is a reptile. Does a snake have fur?", False),
    ("easy", "Every student in the class passed the exam. Lena is a student in the class. Did Lena "
     "pass the exam?", True),
    ("medium", "If it rains, the street gets wet. It is raining right now. Is the street wet?", True),
    ("hard", "All squares are rectangles. Shape X is not a rectangle. Is shape X a square?", False),
    ("hard", "If the alarm rings, Tom always wakes up. This morning Tom did not wake up. Did the alarm "
     "ring this morning?", False),
    ("medium", "Some birds cannot fly. Penguins are birds. Does it follow that every bird can fly?",
     False),
]

ORDER_RELATIONS = [
    # (more, less, most, least)
    ("taller", "shorter", "tallest", "shortest"),
    ("older", "younger", "oldest", "youngest"),
    ("faster", "slower", "fastest", "slowest"),
    ("heavier", "lighter", "heaviest", "lightest"),
]


def build_reasoning(b, rng):
    cat = "reasoning"
    letters = "ABCD"

    # multiple choice
    for i, (diff, q, correct, wrong, expl) in enumerate(MC_QUESTIONS):
        opts = [correct] + list(wrong)
        rng.shuffle(opts)
        letter = letters[opts.index(correct)]
        body = q + "\n" + "\n".join("%s) %s" % (letters[k], o) for k, o in enumerate(opts))
        if i % 2 == 0:
            b.add(cat, diff, body + "\nAnswer with the letter only.", 128, g_option(letter), letter)
        else:
            b.add(cat, diff, body + "\nThink step by step, then give your final answer as "
                  "'Answer: <letter>'.", 256, g_option(letter), "Answer: %s, because %s" % (letter, expl))

    # syllogisms (yes / no)
    for diff, q, yes in SYLLOGISMS:
        word = "yes" if yes else "no"
        b.add(cat, diff, q + " Answer yes or no.", 128,
              g_regex(r"^\W*%s\b" % word, "i", "search"), word.capitalize() + ".")

    # ordering puzzles
    for k in range(8):
        size = 3 if k < 4 else 4
        diff = "easy" if k < 2 else ("medium" if k < 5 else "hard")
        names = rng.sample(FIRST_NAMES, size)          # ranked from most to least
        more, less, most, least = rng.choice(ORDER_RELATIONS)
        facts = []
        for x, y in zip(names, names[1:]):
            facts.append("%s is %s than %s." % (x, more, y) if rng.random() < 0.5
                         else "%s is %s than %s." % (y, less, x))
        rng.shuffle(facts)
        ask_most = rng.random() < 0.5
        target = names[0] if ask_most else names[-1]
        question = " ".join(facts) + " Who is the %s?" % (most if ask_most else least)
        if k % 2 == 0:
            others = [n for n in names if n != target]
            b.add(cat, diff, question + " Answer with just the name.", 128,
                  g_contains([target], none=others), target)
        else:
            b.add(cat, diff, question + " Think it through, then finish with a line of the form "
                  "'Answer: <name>'.", 256,
                  g_regex(r"Answer:\s*\**\s*%s\b" % target, "i", "search"),
                  "Ordered from %s to %s: %s.\nAnswer: %s" % (most, least, " > ".join(names), target))

    # day-of-week
    for k in range(8):
        start = rng.randrange(7)
        offset = [rng.randint(2, 6), rng.randint(2, 6), rng.randint(8, 30), rng.randint(8, 30),
                  rng.randint(8, 30), rng.randint(31, 100), rng.randint(31, 100),
                  rng.randint(101, 365)][k]
        diff = "easy" if offset < 7 else ("medium" if offset <= 30 else "hard")
        target = DAYS[(start + offset) % 7]
        q = "If today is %s, what day of the week will it be in %d days?" % (DAYS[start], offset)
        if k % 2 == 0:
            others = [d for d in DAYS if d not in (target, DAYS[start])]
            b.add(cat, diff, q + " Answer with just the day.", 128,
                  g_contains([target], none=others), target)
        else:
            b.add(cat, diff, q + " Think it through, then finish with a line of the form "
                  "'Answer: <day>'.", 256,
                  g_regex(r"Answer:\s*\**\s*%s\b" % target, "i", "search"),
                  "%d = 7 × %d + %d, so it is the same as %d day%s after %s.\nAnswer: %s"
                  % (offset, offset // 7, offset % 7, offset % 7, "" if offset % 7 == 1 else "s",
                     DAYS[start], target))

    # unit conversion chains
    JUST = " Answer with just the number."
    h = rng.randint(2, 9)
    b.add(cat, "medium", "How many seconds are there in %d hours?" % h + JUST, 128,
          g_number(h * 3600), str(h * 3600))
    d = rng.randint(2, 6)
    b.add(cat, "medium", "How many minutes are there in %d days?" % d + JUST, 128,
          g_number(d * 1440), str(d * 1440))
    kg = rng.randint(3, 19) / 2
    b.add(cat, "easy", "A recipe needs %s kg of flour. How many grams is that?" % fmt_num(kg) + JUST,
          128, g_number(int(kg * 1000)), str(int(kg * 1000)))
    km = rng.randint(11, 49) / 10
    cm = int(round(km * 100000))
    b.add(cat, "hard", "How many centimetres are there in %s km?" % fmt_num(km) + JUST, 128,
          g_number(cm), str(cm))
    v = rng.choice([36, 54, 72, 90, 108])
    b.add(cat, "hard", "A car drives at %d km/h. How many metres does it travel in one second?" % v
          + JUST, 256, g_number(v * 1000 // 3600), str(v * 1000 // 3600))
    w = rng.randint(2, 5)
    b.add(cat, "medium", "How many hours are there in %d weeks?" % w + JUST, 128,
          g_number(w * 168), str(w * 168))
    ft = rng.randint(3, 9)
    b.add(cat, "easy", "How many inches are there in %d feet?" % ft + JUST, 128,
          g_number(ft * 12), str(ft * 12))
    ml_l = rng.randint(2, 9) + 0.25
    b.add(cat, "easy", "How many millilitres are there in %s litres?" % fmt_num(ml_l) + JUST, 128,
          g_number(int(ml_l * 1000)), str(int(ml_l * 1000)))

    # two multi-turn items
    b.add(cat, "medium",
          [U("I have 3 apples and buy 2 bags with 4 apples each. How many apples do I have?"),
           A("You have 3 + 2 × 4 = 11 apples."),
           U("I eat one of them and give away half of the rest. How many do I keep?" + JUST)],
          128, g_number(5), "5")
    b.add(cat, "easy",
          [U("Ann is older than Ben. Ben is older than Cleo."), A("Got it."),
           U("Who is the youngest? Answer with just the name.")],
          128, g_contains(["Cleo"], none=["Ann", "Ben"]), "Cleo")


# ---------------------------------------------------------------------------------------------
# extraction

def person(rng):
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def email_of(first, last, rng):
    style = rng.randrange(3)
    local = [first.lower() + "." + last.lower(), first[0].lower() + last.lower(),
             first.lower() + "_" + last.lower()][style]
    return local + "@" + rng.choice(DOMAINS)


def build_extraction(b, rng):
    cat = "extraction"

    # emails
    for k in range(5):
        f, l = person(rng)
        em = email_of(f, l, rng)
        if k < 3:
            text = rng.choice([
                "Hi team, please send the quarterly report to %s before Friday. Thanks!" % em,
                "For questions about the workshop, write to %s and we will reply within two days." % em,
                "New contact added: %s %s, reachable at %s, prefers mornings." % (f, l, em),
            ])
            b.add(cat, "easy", "Text: %s\n\nWhat email address is mentioned in the text? Answer with "
                  "just the email address." % text, 48, g_contains([em]), em)
        else:
            f2, l2 = person(rng)
            em2 = email_of(f2, l2, rng)
            if em2 == em:
                em2 = "info@" + rng.choice(DOMAINS)
            text = ("Billing questions go to %s %s (%s). For technical support, contact %s %s at %s."
                    % (f2, l2, em2, f, l, em))
            b.add(cat, "medium", "Text: %s\n\nWhat is the email address for technical support? "
                  "Answer with just the email address." % text, 48, g_contains([em], none=[em2]), em)

    # phone numbers
    for k in range(4):
        area, mid, end = rng.randint(200, 989), rng.randint(100, 999), rng.randint(1000, 9999)
        phone = "(%d) %d-%04d" % (area, mid, end)
        pattern = r"\(?%d\)?[\s.-]*%d[\s.-]*%04d" % (area, mid, end)
        f, l = person(rng)
        if k < 2:
            text = "Please call our front desk at %s if you need to reschedule your appointment." % phone
            q = "What phone number should be called?"
            diff = "easy"
        else:
            a2, m2, e2 = rng.randint(200, 989), rng.randint(100, 999), rng.randint(1000, 9999)
            other = "(%d) %d-%04d" % (a2, m2, e2)
            text = ("Our main office number is %s. After 6 pm, %s %s is on call at %s."
                    % (other, f, l, phone))
            q = "Which number should be called after 6 pm?"
            diff = "medium"
        b.add(cat, diff, "Text: %s\n\n%s Answer with just the phone number." % (text, q), 48,
              g_regex(pattern, "", "search"), phone)

    # dates
    for k in range(5):
        y, m, d = rng.randint(2024, 2027), rng.randint(1, 12), rng.randint(1, 28)
        mn = MONTHS[m - 1]
        if k < 2:
            text = "The annual meeting has been moved to %s %d, %d, and will start at 10 am." % (mn, d, y)
            q, diff = "On what date is the meeting?", "easy"
        else:
            m2 = (m + rng.randint(1, 10)) % 12 + 1
            d2 = rng.randint(1, 28)
            text = ("The contract was signed on %d %s %d. Delivery is due on %d %s %d, and the first "
                    "invoice follows a week later." % (d2, MONTHS[m2 - 1], y - 1, d, mn, y))
            q, diff = "When is the delivery due?", "hard" if k == 4 else "medium"
        b.add(cat, diff, "Text: %s\n\n%s Answer with just the date." % (text, q), 48,
              g_contains(date_variants(y, m, d)), "%s %d, %d" % (mn, d, y))

    # names
    roles = ["Head of Procurement", "Project Manager", "Senior Engineer", "Office Manager"]
    for k in range(4):
        f, l = person(rng)
        role = rng.choice(roles)
        if k < 2:
            text = ("Dear customer, thank you for your order. It will ship tomorrow.\n"
                    "Best regards,\n%s %s\n%s" % (f, l, role))
            q, diff = "Who wrote this message? Answer with the full name.", "easy"
        else:
            f2, l2 = person(rng)
            while (f2, l2) == (f, l) or f2 == f:
                f2, l2 = person(rng)
            text = ("%s %s asked whether the budget was approved. The request was approved by %s %s "
                    "on Monday." % (f2, l2, f, l))
            q, diff = "Who approved the request? Answer with the full name.", "medium"
        b.add(cat, diff, "Text: %s\n\n%s" % (text, q), 48, g_contains(["%s %s" % (f, l)]),
              "%s %s" % (f, l))

    # amounts
    for k in range(4):
        sub = Fraction(rng.randint(20000, 300000), 100)
        if k < 2:
            text = "Your invoice for March is ready. The amount due is $%s." % "{:,.2f}".format(float(sub))
            q, diff, val = "What is the amount due?", "easy", sub
        else:
            tax = (sub * Fraction(rng.choice([5, 8, 10, 20]), 100) * 100).__round__() / Fraction(100)
            total = sub + tax
            text = ("Subtotal: $%s. Tax: $%s. Total: $%s. Payment is due within 30 days."
                    % ("{:,.2f}".format(float(sub)), "{:,.2f}".format(float(tax)),
                       "{:,.2f}".format(float(total))))
            q, diff, val = "What is the total amount?", "medium", total
        b.add(cat, diff, "Text: %s\n\n%s Answer with just the number, without the currency sign."
              % (text, q), 48, g_number(float(val), 0.005), "{:,.2f}".format(float(val)))

    # order ids
    for k in range(3):
        oid = "%s%s-%05d" % (rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"), rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"),
                             rng.randint(10000, 99999))
        if k < 2:
            text = "Thanks for shopping with us! Your order %s has shipped and should arrive in 3 days." % oid
            diff = "easy"
        else:
            text = ("We refunded order %s-%d yesterday. Your new order %s is being packed now."
                    % (oid[:2], rng.randint(10000, 99999), oid))
            diff = "medium"
        b.add(cat, diff, "Text: %s\n\nWhat is the order number%s? Answer with just the order number."
              % (text, " of the new order" if k == 2 else ""), 48, g_contains([oid]), oid)

    # with a system message
    f, l = person(rng)
    em = email_of(f, l, rng)
    b.add(cat, "easy",
          [S("You extract data from text. Reply with only the requested value."),
           U("Text: Registration confirmed for %s %s. A receipt was sent to %s.\n\nEmail address?"
             % (f, l, em))],
          48, g_contains([em]), em)

    # JSON objects (15)
    jobs = ["nurse", "teacher", "architect", "chef", "pilot", "librarian", "photographer"]
    products = ["desk lamp", "office chair", "water bottle", "backpack", "keyboard", "monitor stand"]
    events = ["product launch", "team offsite", "charity run", "book fair", "hackathon"]
    companies = ["Northwind", "Bluefin Labs", "Acme Corp", "Harbor Analytics", "Zenith Foods"]
    JSON_TAIL = " Reply with only the JSON object."
    for k in range(15):
        kind = k % 5
        if kind == 0:
            f, l = person(rng)
            age, city, job = rng.randint(21, 70), rng.choice(CITIES), rng.choice(jobs)
            text = "%s %s is a %d-year-old %s who lives in %s." % (f, l, age, job, city)
            keys = {"name": "%s %s" % (f, l), "age": age, "city": city}
            diff = "medium"
        elif kind == 1:
            prod, qty = rng.choice(products), rng.randint(2, 12)
            price = Fraction(rng.randint(500, 9999), 100)
            text = ("Hello, I'd like to order %d units of your %s at $%.2f each, shipped to our "
                    "warehouse." % (qty, prod, float(price)))
            keys = {"product": prod, "quantity": qty, "unit_price": float(price)}
            diff = "medium"
        elif kind == 2:
            ev, city = rng.choice(events), rng.choice(CITIES)
            y, m, d = rng.randint(2025, 2027), rng.randint(1, 12), rng.randint(1, 28)
            text = ("Save the date: our %s takes place in %s on %s %d, %d. Doors open at 9."
                    % (ev, city, MONTHS[m - 1], d, y))
            keys = {"event": ev, "city": city, "date": "%04d-%02d-%02d" % (y, m, d)}
            diff = "hard"
        elif kind == 3:
            f, l = person(rng)
            em, co = email_of(f, l, rng), rng.choice(companies)
            text = ("Met %s %s from %s at the fair; follow up at %s about the pilot project."
                    % (f, l, co, em))
            keys = {"name": "%s %s" % (f, l), "company": co, "email": em, "phone": None}
            diff = "hard"
        else:
            f, l = person(rng)
            nights, city = rng.randint(1, 9), rng.choice(CITIES)
            guests = rng.randint(1, 4)
            text = ("Booking request from %s %s: %d night%s in %s for %d guest%s."
                    % (f, l, nights, "s" if nights > 1 else "", city, guests, "s" if guests > 1 else ""))
            keys = {"guest_name": "%s %s" % (f, l), "city": city, "nights": nights, "guests": guests}
            diff = "medium"
        key_list = ", ".join('"%s"' % key for key in keys)
        extra = ""
        if "date" in keys:
            extra = ' Write the date as YYYY-MM-DD.'
        if any(v is None for v in keys.values()):
            extra += " Use null for a field that is not mentioned."
        if any(isinstance(v, (int, float)) for v in keys.values()):
            extra += " Use numbers for numeric values."
        prompt = ("Extract the information from the text below as a JSON object with the keys %s.%s%s"
                  "\n\nText: %s" % (key_list, extra, JSON_TAIL, text))
        ref = json.dumps(keys, ensure_ascii=False)
        b.add(cat, diff, prompt, 96, g_json(keys), ref)


# ---------------------------------------------------------------------------------------------
# instruction

def build_instruction(b, rng):
    cat = "instruction"

    def add(diff, prompt, pattern, flags, ref, match="full", budget=48):
        return b.add(cat, diff, prompt, budget, g_regex(pattern, flags, match), ref)

    add("easy", "Reply with only the word YES in capital letters.", r"YES[.!]?", "", "YES")
    add("medium", "List exactly three fruits separated by commas, nothing else.",
        r"[A-Za-z][A-Za-z ]*,\s*[A-Za-z][A-Za-z ]*,\s*[A-Za-z][A-Za-z ]*\.?", "",
        "apple, banana, cherry")
    add("easy", "Respond with a single number between 1 and 10, nothing else.", r"(?:[1-9]|10)\.?",
        "", "7")
    add("easy", "Reply with exactly one word: which animal says 'moo'?", r"\W*cows?\W*", "i", "Cow")
    add("easy", "Reply with the number 42 and nothing else.", r"42\.?", "", "42")
    add("medium", "Spell the word 'cat' letter by letter, separated by hyphens, nothing else.",
        r"c-a-t\.?", "i", "C-A-T")
    add("easy", "Respond with 'OK' and nothing else.", r"['\"]?OK['\"]?[.!]?", "i", "OK")
    add("easy", "Count from 1 to 5, separated by single spaces, nothing else.", r"1 2 3 4 5\.?", "",
        "1 2 3 4 5")
    add("medium", "Give me one English word that starts with the letter B. Reply with the word only.",
        r"\W*[Bb][A-Za-z]*\W*", "", "Banana")
    add("medium", "Answer with only 'true' or 'false': is 17 an odd number?", r"\W*true\W*", "i", "true")
    add("hard", "Write a sentence of exactly five words about the sea.",
        r"\W*[A-Za-z']+(?:[\s,;-]+[A-Za-z']+){4}[.!]?", "", "The sea is very calm.", budget=64)
    add("medium", 'What is the capital of Italy? Reply only with JSON of the form {"answer": "..."}.',
        r'\{\s*"answer"\s*:\s*"(?:Rome|Roma)"\s*\}', "i", '{"answer": "Rome"}', match="search",
        budget=64)
    add("easy", "Repeat the following text exactly and add nothing else: The quick brown fox",
        r"[\"']?The quick brown fox\.?[\"']?", "", "The quick brown fox")
    add("easy", "Wrap the word 'code' in square brackets and reply with nothing else.", r"\[code\]", "",
        "[code]")
    add("easy", "Reply with the word 'done' in uppercase, followed by an exclamation mark, nothing else.",
        r"DONE!", "", "DONE!")
    add("medium", "Name one primary color. Reply with one word, all in lowercase.",
        r"(?:red|blue|yellow)\.?", "", "blue")
    add("easy", "Write the word 'yes' three times, separated by commas, nothing else.",
        r"yes,\s*yes,\s*yes\.?", "i", "yes, yes, yes")
    add("medium", "Without any other text, give the result of 2 + 2 written as an English word.",
        r"four\.?", "i", "four")
    add("hard", "Turn the topic 'machine learning' into a hashtag with no spaces (like #Example). "
        "Reply with only the hashtag.", r"#machine_?learning", "i", "#MachineLearning")
    add("medium", "Answer with exactly two words: what is the opposite of 'hot day'?", r"cold\s+day\.?",
        "i", "cold day")
    add("hard", "Reply with only the last letter of the word 'python'.", r"['\"]?n['\"]?\.?", "i", "n")
    add("medium", "Answer in all lowercase: what color is the sky on a clear day?",
        r"[^A-Z]*\bblue\b[^A-Z]*", "", "the sky is blue.")
    add("medium", "Answer in all lowercase: what do bees make?", r"[^A-Z]*\bhoney\b[^A-Z]*", "",
        "bees make honey.")
    add("hard", "Start your reply with 'Sure:' and then name one planet of our solar system, nothing else.",
        r"Sure:\s*(?:Mercury|Venus|Earth|Mars|Jupiter|Saturn|Uranus|Neptune)\.?", "i", "Sure: Mars")
    add("hard", "Write a bulleted list of exactly 3 colors, each line starting with '- ', nothing else.",
        r"-\s+\S[^\n]*\n-\s+\S[^\n]*\n-\s+\S[^\n]*", "", "- red\n- green\n- blue", budget=64)
    add("hard", "Write the word 'Mississippi' with all vowels removed. Reply with only the result.",
        r"\W*msssspp\W*", "i", "Msssspp")
    add("medium", "Reply with a three-letter English word in uppercase, nothing else.", r"[A-Z]{3}[.!]?",
        "", "CAT")

    # generated variants
    words = ["hello", "planet", "garden", "python", "window", "silver", "rabbit", "orange"]
    for w in rng.sample(words, 5):
        add("medium" if len(w) <= 5 else "hard",
            "Write the word '%s' backwards. Reply with only the result." % w,
            r"\W*%s\W*" % w[::-1], "i", w[::-1])
    for w in rng.sample(["banana", "river", "morning", "lantern", "teacher"], 3):
        add("easy", "Write the word '%s' in all capital letters, nothing else." % w,
            r"%s[.!]?" % w.upper(), "", w.upper())
    for _ in range(3):
        xs = rng.sample(range(1, 100), 4)
        add("medium", "Sort these numbers in ascending order and reply with them separated by commas, "
            "nothing else: %s" % ", ".join(map(str, xs)),
            r",\s*".join(map(str, sorted(xs))) + r"\.?", "", ", ".join(map(str, sorted(xs))))
    for _ in range(2):
        ws = rng.sample(["dog", "apple", "cat", "zebra", "melon", "kite", "bread", "lemon"], 3)
        s = sorted(ws)
        add("medium", "Put the words %s in alphabetical order. Reply with the words separated by single "
            "spaces, nothing else." % ", ".join("'%s'" % w for w in ws),
            r"%s\.?" % r"\s+".join(s), "i", " ".join(s))
    for w in rng.sample(["strawberry", "elephant", "computer", "notebook", "umbrella"], 2):
        add("hard", "How many letters are in the word '%s'? Reply with only the number." % w,
            r"%d\.?" % len(w), "", str(len(w)))
    for _ in range(2):
        y, m, d = rng.randint(2020, 2030), rng.randint(1, 12), rng.randint(1, 28)
        iso = "%04d-%02d-%02d" % (y, m, d)
        add("medium", "Write the date %d %s %d in ISO format (YYYY-MM-DD), nothing else."
            % (d, MONTHS[m - 1], y), r"%s\.?" % iso, "", iso)

    # with conversation context
    b.add(cat, "medium",
          [S("Always answer in all capital letters."), U("What color is grass?")],
          48, g_regex(r"[^a-z]*\bGREEN\b[^a-z]*", "", "full"), "GRASS IS GREEN.")
    b.add(cat, "medium",
          [U("From now on, reply with only one word."), A("Okay."), U("Which animal barks?")],
          48, g_regex(r"\W*dogs?\W*", "i", "full"), "Dog")


# ---------------------------------------------------------------------------------------------
# code

CODE_TASKS = [
    # (difficulty, signature, description, solution, tests)
    ("easy", "reverse_string(s)", "returns the string `s` reversed",
     "def reverse_string(s):\n    return s[::-1]\n",
     ['assert reverse_string("hello") == "olleh"', 'assert reverse_string("") == ""',
      'assert reverse_string("a") == "a"', 'assert reverse_string("ab c") == "c ba"']),
    ("easy", "sum_list(nums)", "returns the sum of a list of numbers (0 for an empty list)",
     "def sum_list(nums):\n    total = 0\n    for x in nums:\n        total += x\n    return total\n",
     ["assert sum_list([1, 2, 3]) == 6", "assert sum_list([]) == 0", "assert sum_list([-5, 5, 10]) == 10",
      "assert abs(sum_list([2.5, 0.5]) - 3.0) < 1e-9"]),
    ("easy", "is_even(n)", "returns True if the integer `n` is even and False otherwise",
     "def is_even(n):\n    return n % 2 == 0\n",
     ["assert is_even(4) is True", "assert is_even(7) is False", "assert is_even(0) is True",
      "assert is_even(-3) is False", "assert is_even(-8) is True"]),
    ("easy", "max_of_three(a, b, c)", "returns the largest of three numbers",
     "def max_of_three(a, b, c):\n    m = a\n    if b > m:\n        m = b\n    if c > m:\n        m = c\n    return m\n",
     ["assert max_of_three(1, 2, 3) == 3", "assert max_of_three(3, 2, 1) == 3",
      "assert max_of_three(-1, -5, -3) == -1", "assert max_of_three(2, 2, 1) == 2",
      "assert max_of_three(5, 9, 9) == 9"]),
    ("easy", "count_occurrences(items, target)", "returns how many times `target` appears in the list `items`",
     "def count_occurrences(items, target):\n    return sum(1 for x in items if x == target)\n",
     ["assert count_occurrences([1, 2, 1, 3, 1], 1) == 3", "assert count_occurrences([], 5) == 0",
      'assert count_occurrences(["a", "b"], "c") == 0', 'assert count_occurrences(["x", "x"], "x") == 2']),
    ("easy", "celsius_to_fahrenheit(c)", "converts a temperature from degrees Celsius to degrees Fahrenheit",
     "def celsius_to_fahrenheit(c):\n    return c * 9 / 5 + 32\n",
     ["assert celsius_to_fahrenheit(0) == 32", "assert celsius_to_fahrenheit(100) == 212",
      "assert celsius_to_fahrenheit(-40) == -40", "assert abs(celsius_to_fahrenheit(37) - 98.6) < 1e-9"]),
    ("easy", "factorial(n)", "returns n! for a non-negative integer `n` (with 0! = 1)",
     "def factorial(n):\n    result = 1\n    for i in range(2, n + 1):\n        result *= i\n    return result\n",
     ["assert factorial(0) == 1", "assert factorial(1) == 1", "assert factorial(5) == 120",
      "assert factorial(10) == 3628800"]),
    ("easy", "average(nums)", "returns the arithmetic mean of a list of numbers, or 0 for an empty list",
     "def average(nums):\n    if not nums:\n        return 0\n    return sum(nums) / len(nums)\n",
     ["assert average([1, 2, 3, 4]) == 2.5", "assert average([]) == 0", "assert average([5]) == 5",
      "assert average([-2, 2]) == 0"]),
    ("easy", "count_words(text)", "returns the number of whitespace-separated words in `text`",
     "def count_words(text):\n    return len(text.split())\n",
     ['assert count_words("hello world") == 2', 'assert count_words("") == 0',
      'assert count_words("  many   spaces here ") == 3', 'assert count_words("one") == 1']),
    ("easy", "squares(nums)", "returns a new list with the square of every number in `nums`",
     "def squares(nums):\n    return [x * x for x in nums]\n",
     ["assert squares([1, 2, 3]) == [1, 4, 9]", "assert squares([]) == []",
      "assert squares([-2, 0]) == [4, 0]"]),
    ("easy", "first_and_last(items)", "returns a tuple (first element, last element) of a non-empty list",
     "def first_and_last(items):\n    return (items[0], items[-1])\n",
     ["assert first_and_last([1, 2, 3]) == (1, 3)", 'assert first_and_last(["a"]) == ("a", "a")',
      "assert first_and_last([4, 5]) == (4, 5)"]),
    ("easy", "absolute_difference(a, b)", "returns the absolute difference between two numbers",
     "def absolute_difference(a, b):\n    return abs(a - b)\n",
     ["assert absolute_difference(3, 10) == 7", "assert absolute_difference(10, 3) == 7",
      "assert absolute_difference(-2, 2) == 4", "assert absolute_difference(5, 5) == 0"]),
    ("easy", "to_upper_list(words)", "returns a new list with every string in `words` converted to uppercase",
     "def to_upper_list(words):\n    return [w.upper() for w in words]\n",
     ['assert to_upper_list(["a", "Bc"]) == ["A", "BC"]', "assert to_upper_list([]) == []",
      'assert to_upper_list(["hello world"]) == ["HELLO WORLD"]']),
    ("easy", "min_of_list(nums)", "returns the smallest number in the list, or None if the list is empty",
     "def min_of_list(nums):\n    if not nums:\n        return None\n    return min(nums)\n",
     ["assert min_of_list([3, 1, 2]) == 1", "assert min_of_list([]) is None",
      "assert min_of_list([-4, 0, -9]) == -9", "assert min_of_list([7]) == 7"]),
    ("easy", "count_positive(nums)", "returns how many numbers in the list are strictly greater than zero",
     "def count_positive(nums):\n    return sum(1 for x in nums if x > 0)\n",
     ["assert count_positive([1, -2, 3, 0]) == 2", "assert count_positive([]) == 0",
      "assert count_positive([-1, -5]) == 0", "assert count_positive([0.5, 2]) == 2"]),
    # medium
    ("medium", "is_palindrome(s)",
     "returns True if `s` reads the same forwards and backwards, ignoring case and every character that "
     "is not a letter or a digit",
     "def is_palindrome(s):\n    t = [ch.lower() for ch in s if ch.isalnum()]\n    return t == t[::-1]\n",
     ['assert is_palindrome("A man, a plan, a canal: Panama") is True',
      'assert is_palindrome("race a car") is False', 'assert is_palindrome("") is True',
      "assert is_palindrome(\"No 'x' in Nixon\") is True", 'assert is_palindrome("ab") is False']),
    ("medium", "fizzbuzz(n)",
     "returns a list of strings for the numbers 1 to n: \"Fizz\" for multiples of 3, \"Buzz\" for "
     "multiples of 5, \"FizzBuzz\" for multiples of both, otherwise the number as a string",
     "def fizzbuzz(n):\n    out = []\n    for i in range(1, n + 1):\n        if i % 15 == 0:\n"
     "            out.append(\"FizzBuzz\")\n        elif i % 3 == 0:\n            out.append(\"Fizz\")\n"
     "        elif i % 5 == 0:\n            out.append(\"Buzz\")\n        else:\n            out.append(str(i))\n"
     "    return out\n",
     ['assert fizzbuzz(5) == ["1", "2", "Fizz", "4", "Buzz"]', 'assert fizzbuzz(15)[-1] == "FizzBuzz"',
      "assert fizzbuzz(0) == []", "assert len(fizzbuzz(30)) == 30", 'assert fizzbuzz(10)[8] == "Fizz"']),
    ("medium", "count_vowels(s)", "returns the number of vowels (a, e, i, o, u, case-insensitive) in `s`",
     "def count_vowels(s):\n    return sum(1 for ch in s.lower() if ch in \"aeiou\")\n",
     ['assert count_vowels("Hello World") == 3', 'assert count_vowels("") == 0',
      'assert count_vowels("AEIOU xyz") == 5', 'assert count_vowels("rhythm") == 0']),
    ("medium", "gcd(a, b)", "returns the greatest common divisor of two non-negative integers",
     "def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n",
     ["assert gcd(12, 18) == 6", "assert gcd(17, 5) == 1", "assert gcd(0, 7) == 7",
      "assert gcd(100, 75) == 25", "assert gcd(9, 0) == 9"]),
    ("medium", "flatten(nested)",
     "flattens a list of lists by exactly one level (inner lists of the inner lists stay as they are)",
     "def flatten(nested):\n    out = []\n    for sub in nested:\n        out.extend(sub)\n    return out\n",
     ["assert flatten([[1, 2], [3], []]) == [1, 2, 3]", "assert flatten([]) == []",
      "assert flatten([[1, [2]], [3]]) == [1, [2], 3]", 'assert flatten([["a"], ["b", "c"]]) == ["a", "b", "c"]']),
    ("medium", "word_frequency(text)",
     "returns a dict mapping each word to how often it occurs; words are split on whitespace, lowercased, "
     "and stripped of the punctuation characters .,!?;: at their ends",
     "def word_frequency(text):\n    freq = {}\n    for w in text.split():\n        w = w.strip(\".,!?;:\").lower()\n"
     "        if w:\n            freq[w] = freq.get(w, 0) + 1\n    return freq\n",
     ['assert word_frequency("the cat and the hat") == {"the": 2, "cat": 1, "and": 1, "hat": 1}',
      'assert word_frequency("") == {}', 'assert word_frequency("Hi hi HI") == {"hi": 3}',
      'assert word_frequency("Hello, world! Hello.") == {"hello": 2, "world": 1}']),
    ("medium", "binary_search(items, target)",
     "returns the index of `target` in the sorted list `items` using binary search, or -1 if it is absent",
     "def binary_search(items, target):\n    lo, hi = 0, len(items) - 1\n    while lo <= hi:\n"
     "        mid = (lo + hi) // 2\n        if items[mid] == target:\n            return mid\n"
     "        if items[mid] < target:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n"
     "    return -1\n",
     ["assert binary_search([1, 3, 5, 7, 9], 7) == 3", "assert binary_search([], 1) == -1",
      "assert binary_search([1, 3, 5], 4) == -1", "assert binary_search([2], 2) == 0",
      "assert binary_search(list(range(0, 100, 2)), 64) == 32"]),
    ("medium", "roman_to_int(s)", "converts a Roman numeral string (1 to 3999) to an integer",
     "def roman_to_int(s):\n    v = {\"I\": 1, \"V\": 5, \"X\": 10, \"L\": 50, \"C\": 100, \"D\": 500, \"M\": 1000}\n"
     "    total = 0\n    for i, ch in enumerate(s):\n        if i + 1 < len(s) and v[ch] < v[s[i + 1]]:\n"
     "            total -= v[ch]\n        else:\n            total += v[ch]\n    return total\n",
     ['assert roman_to_int("III") == 3', 'assert roman_to_int("IV") == 4', 'assert roman_to_int("IX") == 9',
      'assert roman_to_int("LVIII") == 58', 'assert roman_to_int("MCMXCIV") == 1994']),
    ("medium", "remove_duplicates(items)",
     "returns a new list without duplicates, keeping the first occurrence of each element in its original order",
     "def remove_duplicates(items):\n    seen = set()\n    out = []\n    for x in items:\n"
     "        if x not in seen:\n            seen.add(x)\n            out.append(x)\n    return out\n",
     ["assert remove_duplicates([1, 2, 1, 3, 2]) == [1, 2, 3]", "assert remove_duplicates([]) == []",
      'assert remove_duplicates(["b", "a", "b"]) == ["b", "a"]', "assert remove_duplicates([4, 4, 4]) == [4]"]),
    ("medium", "is_anagram(a, b)",
     "returns True if the two strings are anagrams of each other, ignoring case and spaces",
     "def is_anagram(a, b):\n    norm = lambda s: sorted(s.replace(\" \", \"\").lower())\n    return norm(a) == norm(b)\n",
     ['assert is_anagram("Listen", "Silent") is True', 'assert is_anagram("Dormitory", "dirty room") is True',
      'assert is_anagram("abc", "abd") is False', 'assert is_anagram("", "") is True',
      'assert is_anagram("aab", "abb") is False']),
    ("medium", "second_largest(nums)",
     "returns the second largest distinct value in the list, or None if there are fewer than two distinct values",
     "def second_largest(nums):\n    vals = sorted(set(nums))\n    return vals[-2] if len(vals) >= 2 else None\n",
     ["assert second_largest([3, 1, 4, 1, 5]) == 4", "assert second_largest([5, 5, 5]) is None",
      "assert second_largest([2, 1]) == 1", "assert second_largest([]) is None",
      "assert second_largest([-1, -2, -3]) == -2"]),
    ("medium", "capitalize_words(s)",
     "returns `s` with the first letter of every word in uppercase and the rest of each word in lowercase "
     "(words are separated by single spaces)",
     "def capitalize_words(s):\n    return \" \".join(w.capitalize() for w in s.split(\" \"))\n",
     ['assert capitalize_words("hello world") == "Hello World"',
      'assert capitalize_words("PYTHON is fun") == "Python Is Fun"', 'assert capitalize_words("") == ""',
      'assert capitalize_words("a") == "A"']),
    ("medium", "chunk_list(items, size)",
     "splits the list into consecutive chunks of length `size` (the last chunk may be shorter) and returns a list of lists",
     "def chunk_list(items, size):\n    return [items[i:i + size] for i in range(0, len(items), size)]\n",
     ["assert chunk_list([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]", "assert chunk_list([], 3) == []",
      "assert chunk_list([1, 2, 3], 3) == [[1, 2, 3]]", "assert chunk_list([1, 2], 5) == [[1, 2]]"]),
    ("medium", "is_prime(n)", "returns True if the integer `n` is a prime number and False otherwise",
     "def is_prime(n):\n    if n < 2:\n        return False\n    i = 2\n    while i * i <= n:\n"
     "        if n % i == 0:\n            return False\n        i += 1\n    return True\n",
     ["assert is_prime(2) is True", "assert is_prime(1) is False", "assert is_prime(0) is False",
      "assert is_prime(97) is True", "assert is_prime(91) is False", "assert is_prime(-7) is False"]),
    ("medium", "digit_sum(n)", "returns the sum of the decimal digits of the integer `n` (ignoring its sign)",
     "def digit_sum(n):\n    return sum(int(d) for d in str(abs(n)))\n",
     ["assert digit_sum(12345) == 15", "assert digit_sum(0) == 0", "assert digit_sum(9) == 9",
      "assert digit_sum(-47) == 11"]),
    ("medium", "caesar_cipher(text, shift)",
     "shifts every ASCII letter in `text` by `shift` positions in the alphabet (wrapping around, keeping "
     "case); all other characters stay unchanged",
     "def caesar_cipher(text, shift):\n    out = []\n    for ch in text:\n        if \"a\" <= ch <= \"z\":\n"
     "            out.append(chr((ord(ch) - 97 + shift) % 26 + 97))\n        elif \"A\" <= ch <= \"Z\":\n"
     "            out.append(chr((ord(ch) - 65 + shift) % 26 + 65))\n        else:\n            out.append(ch)\n"
     "    return \"\".join(out)\n",
     ['assert caesar_cipher("abc", 1) == "bcd"', 'assert caesar_cipher("xyz", 3) == "abc"',
      'assert caesar_cipher("Hello, World!", 13) == "Uryyb, Jbeyq!"', 'assert caesar_cipher("abc", -1) == "zab"',
      'assert caesar_cipher("", 5) == ""']),
    ("medium", "is_leap_year(year)", "returns True if `year` is a leap year in the Gregorian calendar",
     "def is_leap_year(year):\n    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n",
     ["assert is_leap_year(2024) is True", "assert is_leap_year(1900) is False",
      "assert is_leap_year(2000) is True", "assert is_leap_year(2023) is False",
      "assert is_leap_year(2100) is False"]),
    ("medium", "nth_fibonacci(n)", "returns the n-th Fibonacci number, with F(0) = 0 and F(1) = 1",
     "def nth_fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
     ["assert nth_fibonacci(0) == 0", "assert nth_fibonacci(1) == 1", "assert nth_fibonacci(2) == 1",
      "assert nth_fibonacci(10) == 55", "assert nth_fibonacci(50) == 12586269025"]),
    # hard
    ("hard", "parse_csv_line(line)",
     "splits one CSV line into a list of field strings: fields are separated by commas, a field may be "
     "enclosed in double quotes (then it can contain commas), and inside a quoted field two double quotes "
     "stand for one literal double quote",
     "def parse_csv_line(line):\n    fields, cur, i, quoted = [], [], 0, False\n    while i < len(line):\n"
     "        ch = line[i]\n        if quoted:\n            if ch == '\"':\n"
     "                if i + 1 < len(line) and line[i + 1] == '\"':\n                    cur.append('\"')\n"
     "                    i += 1\n                else:\n                    quoted = False\n            else:\n"
     "                cur.append(ch)\n        elif ch == '\"':\n            quoted = True\n        elif ch == \",\":\n"
     "            fields.append(\"\".join(cur))\n            cur = []\n        else:\n            cur.append(ch)\n"
     "        i += 1\n    fields.append(\"\".join(cur))\n    return fields\n",
     ['assert parse_csv_line("a,b,c") == ["a", "b", "c"]',
      "assert parse_csv_line('x,\"hello, world\",y') == [\"x\", \"hello, world\", \"y\"]",
      "assert parse_csv_line('\"say \"\"hi\"\"\",2') == ['say \"hi\"', \"2\"]",
      'assert parse_csv_line("a,,b") == ["a", "", "b"]', 'assert parse_csv_line("a,") == ["a", ""]']),
    ("hard", "longest_common_prefix(words)",
     "returns the longest common prefix of a list of strings (an empty string if there is none or the list is empty)",
     "def longest_common_prefix(words):\n    if not words:\n        return \"\"\n    prefix = words[0]\n"
     "    for w in words[1:]:\n        while not w.startswith(prefix):\n            prefix = prefix[:-1]\n"
     "    return prefix\n",
     ['assert longest_common_prefix(["flower", "flow", "flight"]) == "fl"',
      'assert longest_common_prefix(["dog", "racecar", "car"]) == ""', 'assert longest_common_prefix([]) == ""',
      'assert longest_common_prefix(["alone"]) == "alone"', 'assert longest_common_prefix(["ab", "a"]) == "a"']),
    ("hard", "is_balanced(s)",
     "returns True if the brackets (), [] and {} in `s` are balanced and properly nested; other characters are ignored",
     "def is_balanced(s):\n    pairs = {\")\": \"(\", \"]\": \"[\", \"}\": \"{\"}\n    stack = []\n    for ch in s:\n"
     "        if ch in \"([{\":\n            stack.append(ch)\n        elif ch in pairs:\n"
     "            if not stack or stack.pop() != pairs[ch]:\n                return False\n    return not stack\n",
     ['assert is_balanced("([]{})") is True', 'assert is_balanced("([)]") is False',
      'assert is_balanced("") is True', 'assert is_balanced("(((") is False',
      'assert is_balanced("a(b)c]") is False', 'assert is_balanced("{[()()]}") is True']),
    ("hard", "rle_encode(s)",
     "run-length encodes `s`: each run of the same character becomes the character followed by the run "
     "length, e.g. \"aaab\" -> \"a3b1\"",
     "def rle_encode(s):\n    out = []\n    i = 0\n    while i < len(s):\n        j = i\n"
     "        while j < len(s) and s[j] == s[i]:\n            j += 1\n        out.append(s[i] + str(j - i))\n"
     "        i = j\n    return \"\".join(out)\n",
     ['assert rle_encode("aaabccdddd") == "a3b1c2d4"', 'assert rle_encode("") == ""',
      'assert rle_encode("a") == "a1"', 'assert rle_encode("z" * 12) == "z12"',
      'assert rle_encode("abab") == "a1b1a1b1"']),
    ("hard", "rle_decode(s)",
     "decodes a run-length encoded string where each letter is followed by its count (counts can have "
     "several digits), e.g. \"a3b1\" -> \"aaab\"",
     "def rle_decode(s):\n    out = []\n    i = 0\n    while i < len(s):\n        ch = s[i]\n        j = i + 1\n"
     "        while j < len(s) and s[j].isdigit():\n            j += 1\n        out.append(ch * int(s[i + 1:j]))\n"
     "        i = j\n    return \"\".join(out)\n",
     ['assert rle_decode("a3b1c2") == "aaabcc"', 'assert rle_decode("") == ""',
      'assert rle_decode("z12") == "z" * 12', 'assert rle_decode("x1y2") == "xyy"']),
    ("hard", "merge_intervals(intervals)",
     "merges overlapping intervals (given as [start, end] pairs; intervals that touch also merge) and "
     "returns them sorted by start as a list of [start, end] lists",
     "def merge_intervals(intervals):\n    merged = []\n    for s, e in sorted(intervals):\n"
     "        if merged and s <= merged[-1][1]:\n            merged[-1][1] = max(merged[-1][1], e)\n"
     "        else:\n            merged.append([s, e])\n    return merged\n",
     ["assert [list(x) for x in merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18]])] == [[1, 6], [8, 10], [15, 18]]",
      "assert [list(x) for x in merge_intervals([[1, 4], [4, 5]])] == [[1, 5]]",
      "assert list(merge_intervals([])) == []",
      "assert [list(x) for x in merge_intervals([[5, 7], [1, 2]])] == [[1, 2], [5, 7]]",
      "assert [list(x) for x in merge_intervals([[1, 10], [2, 3]])] == [[1, 10]]"]),
    ("hard", "levenshtein(a, b)",
     "returns the Levenshtein edit distance (insertions, deletions, substitutions) between two strings",
     "def levenshtein(a, b):\n    prev = list(range(len(b) + 1))\n    for i, ca in enumerate(a, 1):\n"
     "        cur = [i]\n        for j, cb in enumerate(b, 1):\n"
     "            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))\n        prev = cur\n"
     "    return prev[-1]\n",
     ['assert levenshtein("kitten", "sitting") == 3', 'assert levenshtein("", "abc") == 3',
      'assert levenshtein("abc", "abc") == 0', 'assert levenshtein("flaw", "lawn") == 2',
      'assert levenshtein("a", "") == 1']),
    ("hard", "transpose(matrix)", "returns the transpose of a matrix given as a list of equal-length rows",
     "def transpose(matrix):\n    return [list(row) for row in zip(*matrix)]\n",
     ["assert [list(r) for r in transpose([[1, 2, 3], [4, 5, 6]])] == [[1, 4], [2, 5], [3, 6]]",
      "assert list(transpose([])) == []", "assert [list(r) for r in transpose([[1]])] == [[1]]",
      "assert [list(r) for r in transpose([[1, 2]])] == [[1], [2]]"]),
    ("hard", "primes_up_to(n)",
     "returns the sorted list of all primes less than or equal to `n`, using the sieve of Eratosthenes",
     "def primes_up_to(n):\n    if n < 2:\n        return []\n    sieve = [True] * (n + 1)\n    sieve[0] = sieve[1] = False\n"
     "    for i in range(2, int(n ** 0.5) + 1):\n        if sieve[i]:\n            for j in range(i * i, n + 1, i):\n"
     "                sieve[j] = False\n    return [i for i, p in enumerate(sieve) if p]\n",
     ["assert primes_up_to(10) == [2, 3, 5, 7]", "assert primes_up_to(1) == []", "assert primes_up_to(2) == [2]",
      "assert primes_up_to(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]", "assert len(primes_up_to(1000)) == 168"]),
    ("hard", "int_to_roman(n)", "converts an integer from 1 to 3999 to a Roman numeral string",
     "def int_to_roman(n):\n    table = [(1000, \"M\"), (900, \"CM\"), (500, \"D\"), (400, \"CD\"), (100, \"C\"), (90, \"XC\"),\n"
     "             (50, \"L\"), (40, \"XL\"), (10, \"X\"), (9, \"IX\"), (5, \"V\"), (4, \"IV\"), (1, \"I\")]\n"
     "    out = []\n    for value, sym in table:\n        while n >= value:\n            out.append(sym)\n"
     "            n -= value\n    return \"\".join(out)\n",
     ['assert int_to_roman(3) == "III"', 'assert int_to_roman(4) == "IV"', 'assert int_to_roman(58) == "LVIII"',
      'assert int_to_roman(1994) == "MCMXCIV"', 'assert int_to_roman(3999) == "MMMCMXCIX"']),
    ("hard", "spiral_order(matrix)",
     "returns the elements of a matrix (list of equal-length rows) in clockwise spiral order starting at the top-left",
     "def spiral_order(matrix):\n    out = []\n    m = [list(r) for r in matrix]\n    while m:\n        out.extend(m.pop(0))\n"
     "        m = [list(r) for r in zip(*m)][::-1]\n    return out\n",
     ["assert spiral_order([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == [1, 2, 3, 6, 9, 8, 7, 4, 5]",
      "assert spiral_order([]) == []",
      "assert spiral_order([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]) == [1, 2, 3, 4, 8, 12, 11, 10, 9, 5, 6, 7]",
      "assert spiral_order([[1], [2], [3]]) == [1, 2, 3]"]),
    ("hard", "evaluate_rpn(tokens)",
     "evaluates an expression in reverse Polish notation given as a list of string tokens with integers and "
     "the operators + - * /, where / is integer division truncating toward zero",
     "def evaluate_rpn(tokens):\n    stack = []\n    for t in tokens:\n        if t in (\"+\", \"-\", \"*\", \"/\"):\n"
     "            b = stack.pop()\n            a = stack.pop()\n            if t == \"+\":\n                stack.append(a + b)\n"
     "            elif t == \"-\":\n                stack.append(a - b)\n            elif t == \"*\":\n"
     "                stack.append(a * b)\n            else:\n                q = abs(a) // abs(b)\n"
     "                stack.append(q if (a >= 0) == (b >= 0) else -q)\n        else:\n            stack.append(int(t))\n"
     "    return stack[-1]\n",
     ['assert evaluate_rpn(["2", "1", "+", "3", "*"]) == 9', 'assert evaluate_rpn(["4", "13", "5", "/", "+"]) == 6',
      'assert evaluate_rpn(["3", "4", "-"]) == -1', 'assert evaluate_rpn(["7", "-2", "/"]) == -3',
      'assert evaluate_rpn(["42"]) == 42']),
    ("hard", "max_subarray_sum(nums)", "returns the largest sum of a contiguous non-empty sub-list of a non-empty list of integers",
     "def max_subarray_sum(nums):\n    best = cur = nums[0]\n    for x in nums[1:]:\n        cur = max(x, cur + x)\n"
     "        best = max(best, cur)\n    return best\n",
     ["assert max_subarray_sum([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6", "assert max_subarray_sum([1]) == 1",
      "assert max_subarray_sum([-3, -1, -2]) == -1", "assert max_subarray_sum([5, 4, -1, 7, 8]) == 23"]),
    ("hard", "is_valid_ipv4(s)",
     "returns True if `s` is a valid IPv4 address: four decimal numbers from 0 to 255 separated by dots, "
     "with no leading zeros (except the number 0 itself)",
     "def is_valid_ipv4(s):\n    parts = s.split(\".\")\n    if len(parts) != 4:\n        return False\n    for p in parts:\n"
     "        if not p.isdigit() or not p.isascii():\n            return False\n        if len(p) > 1 and p[0] == \"0\":\n"
     "            return False\n        if int(p) > 255:\n            return False\n    return True\n",
     ['assert is_valid_ipv4("192.168.0.1") is True', 'assert is_valid_ipv4("256.1.1.1") is False',
      'assert is_valid_ipv4("1.2.3") is False', 'assert is_valid_ipv4("01.2.3.4") is False',
      'assert is_valid_ipv4("0.0.0.0") is True', 'assert is_valid_ipv4("a.b.c.d") is False']),
    ("hard", "lis_length(nums)", "returns the length of the longest strictly increasing subsequence of the list",
     "def lis_length(nums):\n    import bisect\n    tails = []\n    for x in nums:\n        i = bisect.bisect_left(tails, x)\n"
     "        if i == len(tails):\n            tails.append(x)\n        else:\n            tails[i] = x\n    return len(tails)\n",
     ["assert lis_length([10, 9, 2, 5, 3, 7, 101, 18]) == 4", "assert lis_length([]) == 0",
      "assert lis_length([7, 7, 7]) == 1", "assert lis_length([0, 1, 0, 3, 2, 3]) == 4"]),
    ("hard", "matrix_multiply(a, b)", "returns the matrix product of two matrices given as lists of rows",
     "def matrix_multiply(a, b):\n    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]\n"
     "            for i in range(len(a))]\n",
     ["assert matrix_multiply([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]",
      "assert matrix_multiply([[1, 0], [0, 1]], [[4, 5], [6, 7]]) == [[4, 5], [6, 7]]",
      "assert matrix_multiply([[2, 3]], [[4], [5]]) == [[23]]"]),
    ("hard", "flatten_deep(nested)", "flattens arbitrarily nested lists into a single flat list, keeping the order",
     "def flatten_deep(nested):\n    out = []\n    for x in nested:\n        if isinstance(x, list):\n"
     "            out.extend(flatten_deep(x))\n        else:\n            out.append(x)\n    return out\n",
     ["assert flatten_deep([1, [2, [3, [4]]], 5]) == [1, 2, 3, 4, 5]", "assert flatten_deep([]) == []",
      "assert flatten_deep([[[]]]) == []", 'assert flatten_deep([["a"], "b"]) == ["a", "b"]']),
]


def code_block(src):
    return "```python\n" + src + "```"


def build_code(b, rng):
    for diff, sig, desc, sol, tests in CODE_TASKS:
        name = sig.split("(")[0]
        prompt = "Write a Python function `%s` that %s. Return only the code." % (sig, desc)
        b.add("code", diff, prompt, 320, g_python(name, tests), code_block(sol))
    first = CODE_TASKS[1]
    b.add("code", "easy",
          [U("Write a Python function `%s` that %s. Return only the code." % (first[1], first[2])),
           A(code_block(first[3])),
           U("Now write `product_list(nums)` that returns the product of the numbers (1 for an empty "
             "list). Return only the code.")],
          320,
          g_python("product_list", ["assert product_list([2, 3, 4]) == 24", "assert product_list([]) == 1",
                                    "assert product_list([-1, 5]) == -5", "assert product_list([7, 0]) == 0"]),
          code_block("def product_list(nums):\n    result = 1\n    for x in nums:\n        result *= x\n"
                     "    return result\n"))


# ---------------------------------------------------------------------------------------------
# multilingual

def build_multilingual(b, rng):
    cat = "multilingual"

    def fact(diff, q, any_, ref):
        b.add(cat, diff, q, 64, g_contains(any_), ref)

    def arith(diff, q, value):
        b.add(cat, diff, q, 96, g_number(value), fmt_num(value))

    # French
    fact("easy", "Quelle est la capitale de l'Italie ? Réponds uniquement avec le nom de la ville.",
         ["Rome", "Roma"], "Rome")
    a, c = rng.randint(12, 60), rng.randint(12, 60)
    arith("easy", "Combien font %d + %d ? Réponds uniquement avec le nombre." % (a, c), a + c)
    arith("easy", "Combien de pattes a une araignée ? Réponds uniquement avec le nombre.", 8)
    b.add(cat, "medium",
          [U("Quelle est la capitale de l'Espagne ?"), A("Madrid."),
           U("Et celle du Portugal ? Réponds uniquement avec le nom de la ville.")],
          64, g_contains(["Lisbonne", "Lisbon", "Lisboa"]), "Lisbonne")
    # Spanish
    fact("easy", "¿Cuál es la capital de Alemania? Responde solo con el nombre de la ciudad.",
         ["Berlín", "Berlin"], "Berlín")
    a, c = rng.randint(12, 30), rng.randint(3, 9)
    arith("medium", "¿Cuánto es %d × %d? Responde solo con el número." % (a, c), a * c)
    km, h = rng.randint(2, 5), rng.randint(50, 110)
    arith("hard", "Un tren recorre %d km en %d horas a velocidad constante. ¿Cuál es su velocidad en km/h? "
          "Responde solo con el número." % (km * h, km), h)
    fact("hard", "¿Quién escribió 'Cien años de soledad'? Responde solo con el nombre.",
         ["Márquez", "Marquez"], "Gabriel García Márquez")
    # German
    fact("easy", "Was ist die Hauptstadt von Spanien? Antworte nur mit dem Namen der Stadt.", ["Madrid"], "Madrid")
    c, q = rng.randint(6, 15), rng.randint(6, 15)
    arith("medium", "Was ist %d geteilt durch %d? Antworte nur mit der Zahl." % (c * q, c), q)
    fact("medium", "Was ist die Hauptstadt von Australien? Antworte nur mit dem Namen der Stadt.",
         ["Canberra"], "Canberra")
    # Italian
    fact("easy", "Qual è la capitale della Francia? Rispondi solo con il nome della città.",
         ["Parigi", "Paris"], "Parigi")
    a, c = rng.randint(6, 12), rng.randint(6, 12)
    arith("easy", "Quanto fa %d × %d? Rispondi solo con il numero." % (a, c), a * c)
    fact("medium", "Qual è il pianeta più grande del sistema solare? Rispondi con una sola parola.",
         ["Giove", "Jupiter"], "Giove")
    # Portuguese
    fact("easy", "Qual é a capital do Japão? Responda apenas com o nome da cidade.",
         ["Tóquio", "Toquio", "Tokyo"], "Tóquio")
    a = rng.randint(200, 500)
    c = rng.randint(45, 150)
    arith("medium", "Quanto é %d - %d? Responda apenas com o número." % (a, c), a - c)
    fact("hard", "Qual é a capital do Cazaquistão? Responda apenas com o nome da cidade.",
         ["Astana", "Nur-Sultan"], "Astana")
    # Chinese
    fact("easy", "法国的首都是哪里？请只回答城市名。", ["巴黎", "Paris"], "巴黎")
    a, c = rng.randint(12, 40), rng.randint(3, 9)
    arith("medium", "%d乘以%d等于多少？请只回答数字。" % (a, c), a * c)
    arith("easy", "一年有多少个月？请只回答数字。", 12)
    fact("medium", "《红楼梦》的作者是谁？请只回答名字。", ["曹雪芹", "Cao Xueqin"], "曹雪芹")


# ---------------------------------------------------------------------------------------------

def build():
    rng = random.Random(SEED)
    b = SetBuilder()
    build_chit_chat(b, rng)
    build_facts(b, rng)
    build_arithmetic(b, rng)
    build_reasoning(b, rng)
    build_extraction(b, rng)
    build_instruction(b, rng)
    build_code(b, rng)
    build_multilingual(b, rng)
    return b.items


def serialize(items):
    return "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items)


# ---------------------------------------------------------------------------------------------
# reference grader (the spec in README.md)

TEMPLATE_TOKENS = ["<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>", "<|endoftext|>"]


def last_number(text):
    s = text
    while True:
        t = re.sub(r"(\d),(\d{3})(?!\d)", r"\1\2", s)
        if t == s:
            break
        s = t
    nums = re.findall(r"-?\d+(?:\.\d+)?", s)
    return float(nums[-1]) if nums else None


def pick_option(text):
    m = re.search(r"[Aa]nswer(?: is|:)\s*[*(\[]*\s*([A-E])\b", text)
    if m:
        return m.group(1)
    m = re.search(r"\b([A-E])\b", text)
    return m.group(1) if m else None


def first_json_object(text):
    dec = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            obj, _ = dec.raw_decode(text, m.start())
        except ValueError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def json_value_ok(expected, got):
    if expected is None:
        return True
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, (int, float)):
        return isinstance(got, (int, float)) and abs(expected - got) <= 1e-6
    if isinstance(expected, str):
        return isinstance(got, str) and expected.strip().casefold() == got.strip().casefold()
    return expected == got


def extract_code(text):
    m = re.search(r"```python[^\n]*\n(.*?)```", text, re.S)
    if not m:
        m = re.search(r"```[^\n]*\n(.*?)```", text, re.S)
    return m.group(1) if m else text


def run_python(code, tests, timeout=10):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "candidate.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(code + "\n\n" + tests + "\n")
        try:
            r = subprocess.run([sys.executable, path], cwd=d, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return r.returncode == 0


def grade(grader, answer):
    if any(tok in answer for tok in TEMPLATE_TOKENS):
        return False
    t = grader["type"]
    if t == "contains":
        low = answer.casefold()
        if not any(s.casefold() in low for s in grader["any"]):
            return False
        if not all(s.casefold() in low for s in grader.get("all", [])):
            return False
        if any(s.casefold() in low for s in grader.get("none", [])):
            return False
        return True
    if t == "number":
        v = last_number(answer)
        return v is not None and abs(v - grader["value"]) <= grader.get("tolerance", 1e-6)
    if t == "option":
        return pick_option(answer) == grader["answer"]
    if t == "regex":
        flags = re.I if "i" in grader.get("flags", "") else 0
        if grader["match"] == "full":
            return re.fullmatch(grader["pattern"], answer.strip(), flags) is not None
        return re.search(grader["pattern"], answer, flags) is not None
    if t == "json":
        obj = first_json_object(answer)
        if obj is None:
            return False
        return all(k in obj and json_value_ok(v, obj[k]) for k, v in grader["keys"].items())
    if t == "python":
        return run_python(extract_code(answer), grader["tests"])
    if t == "reply":
        s = answer.strip()
        if not s or len(answer) > 600:
            return False
        if "any" in grader:
            low = answer.casefold()
            return any(x.casefold() in low for x in grader["any"])
        return True
    raise ValueError("unknown grader type %r" % t)


def check(items, text):
    errors = []
    keys_order = ["id", "category", "difficulty", "messages", "max_tokens", "grader", "reference"]
    ids = [it["id"] for it in items]
    dup = [i for i, n in Counter(ids).items() if n > 1]
    if dup:
        errors.append("duplicate ids: %s" % dup)
    if len(items) < MIN_ITEMS:
        errors.append("only %d items (< %d)" % (len(items), MIN_ITEMS))
    for line in text.splitlines():
        if list(json.loads(line).keys()) != keys_order:
            errors.append("bad key order: %s" % line[:60])
    for it in items:
        iid, g, ref = it["id"], it["grader"], it["reference"]
        if it["category"] not in CATEGORIES:
            errors.append("%s: unknown category" % iid)
        if it["difficulty"] not in DIFFICULTIES:
            errors.append("%s: unknown difficulty" % iid)
        lo, hi = BUDGETS[it["category"]]
        if not lo <= it["max_tokens"] <= hi:
            errors.append("%s: max_tokens %d outside %d-%d" % (iid, it["max_tokens"], lo, hi))
        msgs = it["messages"]
        if not msgs or msgs[-1]["role"] != "user" or any(m["role"] not in ("system", "user", "assistant")
                                                         for m in msgs):
            errors.append("%s: bad messages" % iid)
        if g["type"] == "regex":
            if "(?<" in g["pattern"] or "(?P" in g["pattern"]:
                errors.append("%s: regex uses lookbehind/named group" % iid)
            if g["flags"] not in ("", "i") or g["match"] not in ("full", "search"):
                errors.append("%s: bad regex flags/match" % iid)
        if g["type"] == "option":
            prompt = msgs[-1]["content"]
            if "%s) " % g["answer"] not in prompt:
                errors.append("%s: option %s not listed" % (iid, g["answer"]))
            wrong = "A" if g["answer"] != "A" else "B"
            if grade(g, wrong):
                errors.append("%s: wrong option accepted" % iid)
        if not grade(g, ref):
            errors.append("%s: reference rejected by its %s grader: %r" % (iid, g["type"], ref[:80]))
        # sanity: empty answers and template tokens must fail
        if grade(g, ""):
            errors.append("%s: empty answer accepted" % iid)
        if g["type"] != "python" and grade(g, ref + "<|im_end|>"):
            errors.append("%s: template token accepted" % iid)
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="regenerate and verify all references")
    args = ap.parse_args()
    items = build()
    text = serialize(items)
    with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote %d items to %s" % (len(items), os.path.relpath(OUT_PATH)))
    if not args.check:
        return 0
    if serialize(build()) != text:
        print("FAIL: generation is not deterministic")
        return 1
    errors = check(items, text)
    by_cat = Counter(it["category"] for it in items)
    by_diff = Counter(it["difficulty"] for it in items)
    by_both = Counter((it["category"], it["difficulty"]) for it in items)
    multi = sum(1 for it in items if len(it["messages"]) > 1)
    print("%-13s %5s %5s %5s %6s" % ("category", "easy", "med", "hard", "total"))
    for c in CATEGORIES:
        print("%-13s %5d %5d %5d %6d" % (c, by_both[(c, "easy")], by_both[(c, "medium")],
                                         by_both[(c, "hard")], by_cat[c]))
    print("%-13s %5d %5d %5d %6d" % ("all", by_diff["easy"], by_diff["medium"], by_diff["hard"], len(items)))
    print("graders: %s" % ", ".join("%s %d" % kv for kv in sorted(Counter(
        it["grader"]["type"] for it in items).items())))
    print("items with a system message or prior turns: %d" % multi)
    if errors:
        for e in errors:
            print("FAIL:", e)
        print("%d problem(s)" % len(errors))
        return 1
    print("OK: all %d references pass their graders" % len(items))
    return 0


if __name__ == "__main__":
    sys.exit(main())
