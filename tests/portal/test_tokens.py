from portal import tokens


def test_it_makes_long_url_safe_tokens_that_differ():
    first, second = tokens.token_new(), tokens.token_new()
    assert first != second
    assert len(first) >= 43
    assert all(ch.isalnum() or ch in "-_" for ch in first)


def test_it_matches_a_token_only_against_its_own_hash_and_purpose():
    token = tokens.token_new()
    stored = tokens.token_hash(token, purpose="rsvp")
    assert tokens.token_matches(token, stored, purpose="rsvp")
    assert not tokens.token_matches(token, stored, purpose="complaint")
    assert not tokens.token_matches(tokens.token_new(), stored, purpose="rsvp")


def test_it_makes_short_codes_without_look_alike_characters():
    codes = {tokens.short_code_new() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 for code in codes)
    assert not set("".join(codes)) & set("01OILSZB258")


def test_it_normalizes_what_people_type():
    assert tokens.short_code_normalize(" acd-efg hj ") == "ACDEFGHJ"
