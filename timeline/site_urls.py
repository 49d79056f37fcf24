from django.urls import path

from . import api, embeds, views

app_name = "timeline"

urlpatterns = [
    path("", views.chronology, name="chronology"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/raw", views.source_raw, name="source-raw"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("embed/", embeds.embed_chronology, name="embed"),
    path("embed/statements/<int:pk>/", embeds.embed_statement, name="embed-statement"),
    path("embed/code/", embeds.embed_code, name="embed-code"),
    path("oembed", embeds.oembed, name="oembed"),
    path("api/statements", api.statement_list, name="api-statements"),
    path("api/statements/<int:pk>", api.statement_detail, name="api-statement"),
]
