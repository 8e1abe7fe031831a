"""
The events' URL names. The event page (events:detail) also shows what was
planted at the event, so the site layer adds it to this namespace
(tongyun.urls).
"""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/<slug:slug>/signup/", views.signup_create, name="signup"),
    path("events/<slug:slug>.ics", views.event_ics, name="ics"),
    path("events/<slug:slug>/poster.png", views.event_poster, name="poster"),
    path("signups/<str:token>/", views.ticket, name="ticket"),
    path("signups/<str:token>/cancel/", views.signup_cancel, name="cancel"),
    path("signups/<str:token>/take-seats/", views.signup_take_seats, name="take_seats"),
    # The ticket's QR code: a check-in code of its own, not the token.
    path("check-in/<str:code>/", views.check_in, name="check_in"),
]
