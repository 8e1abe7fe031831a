from django.urls import path

from . import views

app_name = "plantings"

urlpatterns = [
    path("donations/", views.donation_list, name="donation_list"),
]
