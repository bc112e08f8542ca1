"""Generated in-domain text, written in words: digits, numbers, times, dates, commands.

The real-speech evaluation set is isolated digits, so digits get a large share.
Every generator takes a random.Random and returns one normalised string.
"""
import random

from training.las.text import cardinal

DIGITS = "zero one two three four five six seven eight nine".split()
MONTHS = ("january february march april may june july august september october "
          "november december").split()
ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
            "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
            "nineteenth twentieth").split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
ROOMS = ["kitchen", "living room", "bedroom", "bathroom", "hallway", "garage", "office",
         "basement", "dining room", "garden", "porch", "nursery", "attic", "study"]
DEVICES = ["lights", "lamp", "fan", "heater", "television", "radio", "air conditioner",
           "speaker", "coffee machine", "dishwasher", "oven", "blinds", "heating"]
NAMES = ["mom", "dad", "anna", "john", "peter", "maria", "david", "sarah", "michael",
         "emma", "james", "olivia", "robert", "linda", "thomas", "grandma", "the office"]
CITIES = ["london", "paris", "berlin", "boston", "chicago", "tokyo", "madrid", "dublin",
          "seattle", "denver", "rome", "toronto", "sydney", "vienna", "oslo", "cairo"]
GENRES = ["jazz", "rock", "classical", "pop", "country", "blues", "folk", "some music",
          "the news", "the radio", "my playlist", "something relaxing"]
UNITS = ["seconds", "minutes", "hours"]
TASKS = ["call the doctor", "buy milk", "water the plants", "take my medicine",
         "pick up the kids", "feed the cat", "send the report", "pay the rent",
         "check the oven", "walk the dog", "book a table", "charge my phone"]


def _ordinal(day: int) -> str:
    if day <= 20:
        return ORDINALS[day - 1]
    if day == 30:
        return "thirtieth"
    tens = "twenty" if day < 30 else "thirty"
    return f"{tens} {ORDINALS[day % 10 - 1]}"


def isolated_digit(rng: random.Random) -> str:
    return rng.choice(DIGITS)


def digit_string(rng: random.Random) -> str:
    n = rng.choice((2, 3, 3, 4, 4, 4, 5, 6, 7, 7, 8, 9, 10))
    return " ".join(rng.choice(DIGITS) for _ in range(n))


def number(rng: random.Random) -> str:
    magnitude = rng.choice((10, 100, 100, 1000, 10000, 1000000))
    return cardinal(rng.randrange(magnitude))


def clock_time(rng: random.Random) -> str:
    hour = cardinal(rng.randint(1, 12))
    minute = rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50, rng.randint(1, 59)))
    if minute == 0:
        spoken = rng.choice((f"{hour} o'clock", hour))
    elif minute < 10:
        spoken = f"{hour} oh {cardinal(minute)}"
    else:
        spoken = f"{hour} {cardinal(minute)}"
    return spoken + rng.choice(("", "", " in the morning", " in the evening", " at night"))


def date(rng: random.Random) -> str:
    month, day = rng.choice(MONTHS), _ordinal(rng.randint(1, 31 if rng.random() < 0.9 else 28))
    form = rng.randrange(3)
    if form == 0:
        return f"{month} {day}"
    if form == 1:
        return f"the {day} of {month}"
    year = rng.choice((f"nineteen {cardinal(rng.randint(10, 99))}",
                       f"two thousand {cardinal(rng.randint(1, 30))}"))
    return f"{rng.choice(WEEKDAYS)} {month} {day} {year}"


def command(rng: random.Random) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        return f"turn {rng.choice(('on', 'off'))} the {rng.choice(ROOMS)} {rng.choice(DEVICES)}"
    if kind == 1:
        return f"set a timer for {cardinal(rng.randint(1, 90))} {rng.choice(UNITS)}"
    if kind == 2:
        return f"set an alarm for {clock_time(rng)}"
    if kind == 3:
        return f"call {rng.choice(NAMES)}"
    if kind == 4:
        return f"dial {digit_string(rng)}"
    if kind == 5:
        return f"play {rng.choice(GENRES)}{rng.choice(('', ' in the ' + rng.choice(ROOMS)))}"
    if kind == 6:
        return f"what's the weather in {rng.choice(CITIES)} {rng.choice(('today', 'tomorrow', 'on ' + rng.choice(WEEKDAYS)))}"
    if kind == 7:
        return f"set the thermostat to {cardinal(rng.randint(15, 80))} degrees"
    if kind == 8:
        return f"remind me to {rng.choice(TASKS)} at {clock_time(rng)}"
    if kind == 9:
        return f"{rng.choice(('dim', 'brighten'))} the {rng.choice(ROOMS)} lights to {cardinal(rng.randint(1, 10) * 10)} percent"
    if kind == 10:
        return f"{rng.choice(('open', 'close', 'lock', 'unlock'))} the {rng.choice(('front door', 'back door', 'garage door', 'windows', 'blinds'))}"
    return f"{rng.choice(('volume up', 'volume down', 'next song', 'stop', 'pause', 'resume', 'what time is it', 'cancel the timer', 'mute'))}"


# (generator, share of the domain text); isolated digits and digit strings dominate
# because they are what the real-speech evaluation measures.
GENERATORS = (
    (isolated_digit, 0.30),
    (digit_string, 0.25),
    (command, 0.20),
    (number, 0.10),
    (clock_time, 0.08),
    (date, 0.07),
)


def domain_item(rng: random.Random) -> tuple:
    """(kind, text) drawn by the shares above."""
    generator = rng.choices([g for g, _ in GENERATORS], [w for _, w in GENERATORS])[0]
    return generator.__name__, generator(rng)
