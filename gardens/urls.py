"""
The gardens' URL names. The gardens app serves the list and the bloom
calendar; the home page and the pages of one garden, zone or species show
several apps at once, so the site layer adds them to this namespace
(tongyun.urls). Printed QR labels point at these addresses: keep them.
"""

from django.urls import path

from . import views

app_name = "gardens"

urlpatterns = [
    path("gardens/", views.garden_list, name="garden_list"),
    path("bloom/", views.bloom_calendar, name="bloom_calendar"),
]
