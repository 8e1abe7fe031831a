from django.urls import path

from . import views

app_name = "gardens"

urlpatterns = [
    path("", views.home, name="home"),
    path("gardens/", views.garden_list, name="garden_list"),
    path("gardens/<slug:slug>/", views.garden_detail, name="garden_detail"),
    path(
        "gardens/<slug:slug>/zones/<slug:code>/",
        views.zone_detail,
        name="zone_detail",
    ),
    path("species/<slug:slug>/", views.species_detail, name="species_detail"),
    path("bloom/", views.bloom_calendar, name="bloom_calendar"),
]
