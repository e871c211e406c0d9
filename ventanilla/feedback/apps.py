from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "ventanilla.feedback"
    label = "feedback"
    verbose_name = "Opinión ciudadana"
