from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("suggestions/new/", views.suggestion_new, name="new"),
    path("suggestions/photos/<int:pk>.jpg", views.photo, name="photo"),
    path("survey/", views.survey, name="survey"),
    path("survey/thanks/", views.survey_thanks, name="survey_thanks"),
]
