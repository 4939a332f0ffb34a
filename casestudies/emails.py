from casestudies.models import StateChange
from core.emails import send_templated_email


def send_state_change_email(change: StateChange) -> None:
    owner = change.case_study.owner
    send_templated_email(
        name="state_change",
        to=[owner.email],
        context={"change": change, "case_study": change.case_study, "owner": owner},
    )
