"""Does the status check without an account answer as fast for a number that does not exist as for a wrong guess?

Run from the repository root (PostgreSQL on 127.0.0.1:5432, as for the tests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_timing \\
        .venv/bin/python bench/check_status_timing.py [--tries 200] [--keepdb]

It makes a throw-away test database (test_<name>, dropped afterwards unless --keepdb),
puts a few thousand applications in it, then posts the form TRIES times for an
existing number with wrong identifiers and TRIES times for a number that does not
exist, in random interleaved order, through Django's test client (the whole
request: middleware, rate limit, lock checks, look-up, attempt row, counts, page).
The lockout and rate limits are raised for the run so that every try walks the
mismatch path (with the real limits the number locks after 5 tries and every later
answer is the lock's). Both series grow their failure counts the same way: one
fixed unknown number, one address.

It prints each series' median and percentiles, the difference of medians, a
bootstrap 95 % interval for it, and the same difference between two halves of the
existing-number series (an A/A comparison: the noise floor), for the page and for
the service alone (applications.status_check.status_check_perform). Exits 1 when
either difference of medians is outside both its interval around 0 and the noise floor.

Then, for information, the service with its floor switched off
(STATUS_CHECK_MISS_FLOOR_SECONDS=0): the raw work, where an existing number costs
about a tenth of a millisecond more (its row is read and built into objects, and
the attempt row's foreign key is checked). That difference is why every miss is
held back to the floor.
"""

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

import django  # noqa: E402

django.setup()

from django.test import Client as TestClient  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from applications.models import Application, Client, Program  # noqa: E402
from applications.status_check import status_check_perform  # noqa: E402

EXISTING_NUMBER = "E500000000"
UNKNOWN_NUMBER = "E599999999"
ADDRESS = "198.51.100.23"
VOLUME = 5000
BOOTSTRAP_ROUNDS = 2000


def data_load() -> None:
    """VOLUME applications besides the one the guesses aim at, so the look-ups search a real index."""
    programs = list(Program.objects.all())
    today = timezone.localdate()
    clients = Client.objects.bulk_create(
        Client(
            uci=f"{60000000 + index}",
            family_name=f"Family{index}",
            date_of_birth=datetime.date(1980, 1, 1) + datetime.timedelta(days=index),
            country_of_birth="FR",
            country_of_residence="CA",
        )
        for index in range(VOLUME + 1)
    )
    Application.objects.bulk_create(
        Application(
            number=f"E{500000000 + index}",
            client=client,
            program=programs[index % len(programs)],
            submitted_on=today - datetime.timedelta(days=index % 700),
        )
        for index, client in enumerate(clients)
    )


def through_the_page(client: TestClient, number: str, attempt: int) -> float:
    start = time.perf_counter()
    response = client.post(
        reverse("check_status:check"),
        {"application_number": number, "uci": f"{70000000 + attempt}"},
        REMOTE_ADDR=ADDRESS,
    )
    elapsed = time.perf_counter() - start
    if response.status_code != 400:
        raise SystemExit(f"expected the generic answer (400), got {response.status_code} for {number}")
    return elapsed


def through_the_service(number: str, attempt: int) -> float:
    start = time.perf_counter()
    status_check_perform(application_number=number, uci=f"{70000000 + attempt}", ip_address=ADDRESS)
    return time.perf_counter() - start


def series_measure(measure, tries: int, seed: int) -> tuple[list[float], list[float]]:
    """TRIES timings for each number, taken in pairs whose order is drawn at random."""
    rng = random.Random(seed)
    existing: list[float] = []
    unknown: list[float] = []
    for attempt in range(tries):
        pair = [(EXISTING_NUMBER, existing), (UNKNOWN_NUMBER, unknown)]
        rng.shuffle(pair)
        for number, timings in pair:
            timings.append(measure(number, attempt))
    return existing, unknown


def median_difference_interval(first: list[float], second: list[float], seed: int) -> tuple[float, float]:
    rng = random.Random(seed)
    differences = sorted(
        statistics.median(rng.choices(first, k=len(first))) - statistics.median(rng.choices(second, k=len(second)))
        for _ in range(BOOTSTRAP_ROUNDS)
    )
    return differences[int(0.025 * BOOTSTRAP_ROUNDS)], differences[int(0.975 * BOOTSTRAP_ROUNDS) - 1]


def report(title: str, existing: list[float], unknown: list[float], seed: int) -> bool:
    def micro(seconds: float) -> str:
        return f"{seconds * 1e6:9.1f} µs"

    def describe(name: str, timings: list[float]) -> None:
        cuts = statistics.quantiles(timings, n=10)
        print(f"  {name:<28} median {micro(statistics.median(timings))}  p10 {micro(cuts[0])}  p90 {micro(cuts[-1])}")

    difference = statistics.median(existing) - statistics.median(unknown)
    low, high = median_difference_interval(existing, unknown, seed)
    noise = abs(statistics.median(existing[0::2]) - statistics.median(existing[1::2]))
    within = low <= 0 <= high or abs(difference) <= noise
    print(f"{title} ({len(existing)} tries each)")
    describe("existing number, wrong UCI", existing)
    describe("unknown number", unknown)
    share = difference / statistics.median(unknown) * 100
    print(f"  difference of medians        {micro(difference)}  ({share:+.2f} %)")
    print(f"  bootstrap 95 % interval      [{micro(low).strip()}, {micro(high).strip()}]")
    print(f"  noise floor (A/A halves)     {micro(noise)}")
    print(f"  within noise: {'yes' if within else 'NO'}")
    return within


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keepdb", action="store_true")
    arguments = parser.parse_args()

    logging.getLogger("django.request").setLevel(logging.ERROR)  # every try is a 400, on purpose
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False, keepdb=arguments.keepdb)
    try:
        with (
            override_settings(
                LINK_MAX_FAILURES_PER_APPLICATION=10**9,
                LINK_MAX_FAILURES_PER_ACCOUNT=10**9,
                STATUS_CHECK_RATE_LIMIT=10**9,
                DEBUG=False,
            ),
            translation.override("en"),
        ):
            Application.objects.filter(number__startswith="E5").delete()
            Client.objects.filter(uci__startswith="6").delete()
            data_load()
            page_client = TestClient()
            # Warm-up, not recorded: the first requests load templates, translations and connections.
            series_measure(lambda number, attempt: through_the_page(page_client, number, attempt), 20, arguments.seed)
            page = series_measure(
                lambda number, attempt: through_the_page(page_client, number, attempt), arguments.tries, arguments.seed
            )
            service = series_measure(through_the_service, arguments.tries, arguments.seed + 1)
            page_ok = report("Through the page (POST /en/check-status/)", *page, seed=arguments.seed)
            service_ok = report("The service alone (status_check_perform)", *service, seed=arguments.seed + 1)
            with override_settings(STATUS_CHECK_MISS_FLOOR_SECONDS=0):
                raw = series_measure(through_the_service, arguments.tries, arguments.seed + 2)
            report("For information: the service without its floor", *raw, seed=arguments.seed + 2)
    finally:
        teardown_databases(databases, verbosity=0, keepdb=arguments.keepdb)
    return 0 if page_ok and service_ok else 1


if __name__ == "__main__":
    sys.exit(main())
