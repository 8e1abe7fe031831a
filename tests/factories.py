import datetime as dt

import factory

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
