import datetime as dt

import factory
from django.utils import timezone

from gardens.models import Community, Garden, Species, Theme, Zone


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"社区{n}")
    name_en = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")


class SpeciesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Species

    name = factory.Sequence(lambda n: f"花卉{n}")
    name_en = factory.Sequence(lambda n: f"Flower {n}")
    latin_name = factory.Sequence(lambda n: f"Flora species{n}")
    slug = factory.Sequence(lambda n: f"species-{n}")
    bloom_start_month = 4
    bloom_end_month = 5
    theme = Theme.PEONY


class GardenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Garden

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"花园{n}")
    name_en = factory.Sequence(lambda n: f"Garden {n}")
    slug = factory.Sequence(lambda n: f"garden-{n}")
    theme = Theme.PEONY


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    garden = factory.SubFactory(GardenFactory)
    code = factory.Sequence(lambda n: f"Z{n}")
    name = factory.Sequence(lambda n: f"分区{n}")
    name_en = factory.Sequence(lambda n: f"Zone {n}")
    area_m2 = "50.0"
    state = Zone.State.DESIGNED


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plantings.Donor"

    name = factory.Sequence(lambda n: f"捐赠方{n}")
    name_en = factory.Sequence(lambda n: f"Donor {n}")
    kind = "town"


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plantings.Donation"

    donor = factory.SubFactory(DonorFactory)
    received_on = dt.date(2024, 4, 1)
    quantity = 100
    is_floor = False


class DonationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plantings.DonationItem"

    donation = factory.SubFactory(DonationFactory)
    species = factory.SubFactory(SpeciesFactory)
    quantity = None


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plantings.Allocation"

    donation = factory.SubFactory(DonationFactory)
    zone = factory.SubFactory(ZoneFactory)
    species = factory.SubFactory(SpeciesFactory)
    quantity = 10
    allocated_on = dt.date(2024, 4, 2)


class PlantingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plantings.Planting"

    zone = factory.SubFactory(ZoneFactory)
    species = factory.SubFactory(SpeciesFactory)
    quantity = 10
    planted_on = dt.date(2024, 4, 7)


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plantings.Observation"

    zone = factory.SubFactory(ZoneFactory)
    species = factory.SubFactory(SpeciesFactory)
    observed_on = dt.date(2024, 4, 20)
    kind = "full_bloom"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Organisation"

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = "government"


class EventFactory(factory.django.DjangoModelFactory):
    """A published planting day ten days from now, open for sign-up."""

    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"植树日{n}")
    title_en = factory.Sequence(lambda n: f"Planting day {n}")
    slug = factory.Sequence(lambda n: f"planting-day-{n}")
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + dt.timedelta(days=10)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    signup_opens_at = factory.LazyFunction(
        lambda: timezone.now() - dt.timedelta(days=1)
    )
    signup_closes_at = factory.LazyAttribute(
        lambda o: o.starts_at - dt.timedelta(hours=12)
    )
    meeting_point = "牡丹园社区党群服务站"
    capacity = 20
    status = "published"

    @factory.post_generation
    def gardens(self, create, extracted, **kwargs):
        if create and extracted:
            self.gardens.set(extracted)


def event_under_way(**fields):
    """An event going on now (its sign-up closed an hour ago): checking in
    needs no confirmation, and it is one of today's events."""
    now = timezone.now()
    return EventFactory(
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(minutes=30),
        signup_opens_at=now - dt.timedelta(days=3),
        signup_closes_at=now - dt.timedelta(hours=1),
        **fields,
    )


class SignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Signup"

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"志愿者{n}")
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    headcount = 1
    status = "confirmed"


class CallFactory(factory.django.DjangoModelFactory):
    """An open call for all three categories, as the peony call."""

    class Meta:
        model = "artworks.Call"

    title = factory.Sequence(lambda n: f"牡丹元素书画与摄影作品征集{n}")
    slug = factory.Sequence(lambda n: f"call-{n}")
    organiser = "牡丹园社区党群服务站"
    theme = "牡丹"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class ArtworkFactory(factory.django.DjangoModelFactory):
    """An approved work with real (small) JPEG files in private storage."""

    class Meta:
        model = "artworks.Artwork"

    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"牡丹图{n}")
    artist_name = factory.Sequence(lambda n: f"作者{n}")
    category = "painting"
    phone = factory.Sequence(lambda n: f"+86135{n:08d}")
    image = factory.django.ImageField(width=160, height=120, format="JPEG", color="red")
    thumbnail = factory.django.ImageField(width=48, height=36, format="JPEG")
    status = "approved"
    reviewed_at = factory.LazyFunction(timezone.now)


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feedback.Suggestion"

    category = "plants"
    garden = factory.SubFactory(GardenFactory)
    zone = None
    text = factory.Sequence(lambda n: f"这里缺少花卉，建议补种{n}")
    phone = ""


class SurveyRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feedback.SurveyRound"

    title = factory.Sequence(lambda n: f"第{n}轮满意度调查")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    min_answers = 3


class SurveyAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feedback.SurveyAnswer"

    round = factory.SubFactory(SurveyRoundFactory)
    beauty = 4
    upkeep = 4
    taking_part = 3
    happiness = 5
    browser_digest = factory.Sequence(lambda n: f"browser-{n:056d}")  # 64 characters


def reach_every_community(user):
    """
    Give user what street-office staff hold beside their model permissions:
    without it, staff reach only their own communities (gardens.access).
    """
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="gardens", codename="access_all_communities"
        )
    )
    return user
