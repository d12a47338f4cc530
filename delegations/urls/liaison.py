"""URLs of liaison appointments (/en|fr/liaison/): the office's pages, the officer's, and one appointment's."""

from django.urls import path

from delegations.views import liaison

app_name = "liaison"

urlpatterns = [
    path("", liaison.office, name="office"),
    path("book/", liaison.book, name="book"),
    path("time-zone/", liaison.zone_choose, name="zone"),
    path("officer/", liaison.officer_day, name="officer_day"),
    path("officer/availability/", liaison.availability, name="availability"),
    path("appointments/<int:pk>/", liaison.detail, name="detail"),
    path("appointments/<int:pk>/calendar.ics", liaison.calendar, name="calendar"),
    path("appointments/<int:pk>/cancel/", liaison.cancel, name="cancel"),
    path("appointments/<int:pk>/move/", liaison.reschedule, name="reschedule"),
    path("appointments/<int:pk>/record/", liaison.mark, name="mark"),
]
