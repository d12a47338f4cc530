"""URLs: the satisfaction survey, reached by a signed link (no sign-in)."""

from django.urls import path

from enquiries.views import survey

app_name = "survey"

urlpatterns = [
    path("<str:token>/", survey.survey_answer_view, name="answer"),
    path("<str:token>/why/", survey.survey_why_view, name="why"),
    path("<str:token>/thanks/", survey.survey_thanks_view, name="thanks"),
]
