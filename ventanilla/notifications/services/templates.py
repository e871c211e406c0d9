"""Templates: an institution's wording of its messages (services to write them: helper D)."""

from ventanilla.institutions.models import Institution
from ventanilla.notifications.events import EVENTS
from ventanilla.notifications.models import Channel, Template


def template_for_event(
    *, institution: Institution | None, event: str, channel: str
) -> tuple[Template | None, str, str]:
    """The wording for `event` on `channel`: the institution's live template if it wrote one,
    else the platform's. Returns (the template or None for the platform's, subject, body).
    KeyError for an unknown event."""
    definition = EVENTS[event]
    if institution is not None:
        template = (
            Template.objects.filter(
                institution=institution, event=event, channel=channel, archived_at__isnull=True
            )
            .order_by("-updated_at")
            .first()
        )
        if template is not None:
            return template, template.subject, template.body
    wording = {
        Channel.INBOX: definition.inbox,
        Channel.EMAIL: definition.email,
        Channel.SMS: definition.sms,
    }[Channel(channel)]
    return None, str(wording.subject), str(wording.body)
