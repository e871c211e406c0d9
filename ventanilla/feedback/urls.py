from django.urls import path

from ventanilla.feedback import views

app_name = "feedback"
urlpatterns = [path("opinion/", views.page_feedback, name="page")]
