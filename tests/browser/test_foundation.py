from playwright.sync_api import expect


def test_alice_logs_in_and_sees_the_five_articles(demo, page, login, axe_check):
    login("alice")
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    axe_check()
    page.get_by_role("link", name="Israel–Russia relations").click()
    rows = page.locator("table.documents tbody tr")
    expect(rows).to_have_count(5)
    expect(
        page.get_by_role("link", name="Israel, Russia... Are They Friends or Enemies?", exact=True)
    ).to_be_visible()
    axe_check()


def test_wrong_password_shows_an_inline_error(demo, page):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("nope")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
