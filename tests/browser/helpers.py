"""Steps the browser tests share."""

from tests.support import PASSWORD


def log_in(page, live_server, username: str) -> None:
    """Log in through the admin's login form, as a person does, and land on the dashboard."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
