"""
Benchmark data of the events app (`manage.py seed_bench`): organisations,
events in the benchmark's gardens, and their sign-ups.

Per scale N: 2N organisations, 4N events (half held, half upcoming and open
for sign-up; every twentieth cancelled) and SIGNUPS_PER_EVENT sign-ups each.
The sign-ups are what services.sign_up and services.cancel would have left:
each is confirmed when its whole headcount fits, else waitlisted; some are
then cancelled, and each cancellation of a confirmed sign-up promotes the
waiting ones, in order, each that fits. So the confirmed headcount never
exceeds the capacity, and one phone has at most one active sign-up an event.
Held events have most confirmed people checked in.
"""

import datetime as dt
import random

from django.utils import timezone

from tongyun.lib.names import mobile, person_name
from tongyun.lib.progress import bulk_insert

from .models import Event, Organisation, Signup

SIGNUPS_PER_EVENT = 128
CANCELLED_SHARE = 0.1
BEIJING_MORNING = dt.time(1, 0)  # 09:00 in Beijing, in UTC

KINDS = [
    (Event.Kind.PLANTING_DAY, "义务植树日"),
    (Event.Kind.CARE_DAY, "花园养护日"),
    (Event.Kind.WORKSHOP, "园艺工作坊"),
]
ORGANISATION_KINDS = [
    (
        Organisation.Kind.GOVERNMENT,
        ["区园林绿化局", "区城管委", "区住建委", "区文旅局"],
    ),
    (Organisation.Kind.SCHOOL, ["第一小学", "实验中学", "第二中学", "育才学校"]),
    (Organisation.Kind.COMMUNITY, ["志愿服务队", "党员先锋队", "巾帼志愿队"]),
    (Organisation.Kind.OTHER, ["花卉协会", "摄影协会", "老年大学"]),
]
HEADCOUNTS = [1, 2, 3, 4, 5]
HEADCOUNT_WEIGHTS = [60, 25, 8, 4, 3]


def seed(*, scale, prefix, rng: random.Random, progress, places, suffix=""):
    """
    Insert the events' rows for places (gardens.bench.seed's answer); return
    {"organisations", "events", "signups", "held_planting_days"}, the last
    mapping a garden's pk to the planting days held there.
    """
    now = timezone.now()
    organisations = []
    names = [
        (kind, f"{place}{word}")
        for kind, words in ORGANISATION_KINDS
        for word in words
        for place in ("通州", "通运", "北苑", "梨园", "永顺", "潞城", "张家湾", "台湖")
    ]
    for i in range(2 * scale):
        kind, name = names[i % len(names)]
        again = i // len(names)
        organisations.append(
            Organisation(
                name=f"{name}{again + 1 if again else ''}{suffix}",
                kind=kind,
            )
        )
    bulk_insert(Organisation, organisations, progress=progress, label="organisations")

    gardens = places["gardens"]
    events = []
    for i in range(4 * scale):
        garden = gardens[(i * 7) % len(gardens)]
        kind, word = KINDS[i % len(KINDS)]
        held = i % 2 == 0
        day = now.date() + dt.timedelta(
            days=-rng.randint(2, 700) if held else rng.randint(3, 120)
        )
        starts = dt.datetime.combine(day, BEIJING_MORNING, tzinfo=dt.UTC)
        opens = (starts if held else now) - dt.timedelta(days=rng.randint(20, 40))
        event = Event(
            title=f"{garden.name}{word}",
            slug=f"{prefix}e{i}",
            kind=kind,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            meeting_point=garden.address,
            # Two events in three fill up and keep a waiting list.
            capacity=rng.randrange(60, 180, 10) if i % 3 else 400,
            signup_opens_at=opens,
            signup_closes_at=starts - dt.timedelta(hours=12),
            status=Event.Status.CANCELLED if i % 20 == 19 else Event.Status.PUBLISHED,
            description=f"欢迎居民和志愿者来{garden.name}一起{word[:-1]}。",
            seedling_goal=500 if kind == Event.Kind.PLANTING_DAY else None,
        )
        event.garden = garden
        events.append(event)
    bulk_insert(Event, events, progress=progress, label="events")
    Event.gardens.through.objects.bulk_create(
        Event.gardens.through(event_id=e.pk, garden_id=e.garden.pk) for e in events
    )

    total = len(events) * SIGNUPS_PER_EVENT
    pool_size = max(total // 3, SIGNUPS_PER_EVENT * 2)
    pool = rng.sample(range(10**8), pool_size)
    signups = []
    for event in events:
        signups.extend(_signups(event, rng, pool, organisations, now))
    bulk_insert(Signup, signups, progress=progress, label="sign-ups")

    held_planting_days = {}
    for event in events:
        if (
            event.kind == Event.Kind.PLANTING_DAY
            and event.status == Event.Status.PUBLISHED
            and event.ends_at < now
        ):
            held_planting_days.setdefault(event.garden.pk, []).append(event)
    return {
        "organisations": organisations,
        "events": events,
        "signups": signups,
        "held_planting_days": held_planting_days,
    }


def _signups(event, rng, pool, organisations, now):
    """
    SIGNUPS_PER_EVENT sign-ups of event as the services leave them (see the
    module's docstring); unsaved.
    """
    latest = min(event.signup_closes_at, now - dt.timedelta(days=1))
    window = (latest - event.signup_opens_at).total_seconds()
    times = sorted(
        event.signup_opens_at + dt.timedelta(seconds=rng.uniform(0, window))
        for _ in range(SIGNUPS_PER_EVENT)
    )
    phones = rng.sample(pool, SIGNUPS_PER_EVENT)
    rows, taken = [], 0
    for created, number in zip(times, phones, strict=True):
        headcount = rng.choices(HEADCOUNTS, HEADCOUNT_WEIGHTS)[0]
        fits = taken + headcount <= event.capacity
        taken += headcount if fits else 0
        rows.append(
            Signup(
                event=event,
                name=person_name(rng),
                phone=mobile(number),
                language="en" if rng.random() < 0.03 else "zh-hans",
                headcount=headcount,
                organisation=rng.choice(organisations) if rng.random() < 0.2 else None,
                status=Signup.Status.CONFIRMED if fits else Signup.Status.WAITLISTED,
                created_at=created,
            )
        )
    # Cancellations come after the last sign-up and before the start (or
    # now, for an event still to come), in this order.
    last = times[-1]
    until = min(event.starts_at, now)
    if event.status == Event.Status.CANCELLED:
        leaving = rows
    else:
        leaving = rng.sample(rows, int(len(rows) * CANCELLED_SHARE))
    moments = sorted(
        last + (until - last) * rng.uniform(0.05, 0.95) for _ in range(len(leaving))
    )
    for signup, moment in zip(leaving, moments, strict=True):
        if signup.status == Signup.Status.CONFIRMED:
            taken -= signup.headcount
        signup.status = Signup.Status.CANCELLED
        signup.cancelled_at = moment
        if event.status == Event.Status.CANCELLED:
            continue
        # services.promote: the waiting, first come first served, each that fits.
        for waiting in rows:
            if waiting.status != Signup.Status.WAITLISTED:
                continue
            if taken + waiting.headcount <= event.capacity:
                waiting.status = Signup.Status.CONFIRMED
                taken += waiting.headcount
    if event.ends_at < now and event.status == Event.Status.PUBLISHED:
        for signup in rows:
            if signup.status == Signup.Status.CONFIRMED and rng.random() < 0.85:
                signup.checked_in_at = event.starts_at + dt.timedelta(
                    minutes=rng.randint(-20, 60)
                )
    return rows
