from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from . import api, citing, embeds, exports, feeds, health, sitemaps, views

app_name = "timeline"

urlpatterns = [
    path("", views.chronology, name="chronology"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("statements/<int:pk>/cite.json", citing.statement_csl_json, name="statement-csl"),
    path("statements/<int:pk>/cite.ris", citing.statement_ris, name="statement-ris"),
    path("export.csv", exports.export_csv, name="export-csv"),
    path("export/timelinejs.json", exports.export_timelinejs, name="export-timelinejs"),
    path("feeds/statements.atom", feeds.statements_atom, name="feed-statements"),
    path("feeds/events.ics", feeds.events_ics, name="feed-events"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("healthz", health.healthz, name="healthz"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/raw", views.source_raw, name="source-raw"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("embed/", embeds.embed_chronology, name="embed"),
    path("embed/statements/<int:pk>/", embeds.embed_statement, name="embed-statement"),
    path("embed/code/", embeds.embed_code, name="embed-code"),
    path("oembed", embeds.oembed, name="oembed"),
    path("api/", include(api.urlpatterns)),
]
