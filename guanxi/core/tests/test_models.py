from guanxi.core.models import User


def test_chinese_names_are_written_surname_first_without_space():
    assert User(first_name="婷", last_name="吴").get_full_name() == "吴婷"
    assert str(User(username="wuting", first_name="婷", last_name="吴")) == "吴婷"


def test_western_names_keep_given_name_first():
    assert User(first_name="Anna", last_name="Smith").get_full_name() == "Anna Smith"
    assert str(User(username="anna")) == "anna"
