from django.urls import path

from . import views

app_name = "artworks"

urlpatterns = [
    path("artworks/", views.gallery, name="list"),
    path("artworks/submit/", views.artwork_submit, name="submit"),
    path("artworks/status/<str:token>/", views.artwork_status, name="status"),
    path("artworks/<int:pk>/", views.artwork_detail, name="detail"),
    path("artworks/<int:pk>/poster.png", views.artwork_poster, name="poster"),
    path(
        "artworks/<int:pk>/<str:size>.jpg",
        views.image,
        name="image",
    ),
]
