from django.urls import path

from . import api, views

app_name = "timeline"

urlpatterns = [
    path("", views.chronology, name="chronology"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/raw", views.source_raw, name="source-raw"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("api/statements", api.statement_list, name="api-statements"),
    path("api/statements/<int:pk>", api.statement_detail, name="api-statement"),
]
