#!/bin/sh
# Refresh the Simplified Chinese catalogue and compile it.
#
# 1. Take the vendored translations out of django.po: django-unfold (and a few django-simple-history
#    strings) ship no zh_Hans catalogue, so their msgids live in our catalogue, marked by source
#    references '#: unfold/...' and '#: simple_history/...'.
# 2. Re-extract our own strings (makemessages runs msgmerge, so existing translations are kept).
# 3. Put the vendored entries back (a msgid in both keeps one entry with both references), compile.
# Untranslated or fuzzy entries are listed at the end: translate them and run this again.
# Needs GNU gettext (apt-get install gettext). The compiled django.mo is committed, so a machine
# without gettext still gets the translations.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
PO="$HERE/zh_Hans/LC_MESSAGES/django.po"
MO="$HERE/zh_Hans/LC_MESSAGES/django.mo"
VENDOR=$(mktemp)
trap 'rm -f "$VENDOR" "$VENDOR.header" "$VENDOR.new" "$PO.new"' EXIT

# msggrep's location patterns do not cross '/', so spell out each depth.
patterns=""
glob="*"
for _ in 1 2 3 4 5 6 7 8 9 10; do
    patterns="$patterns -N unfold/$glob -N simple_history/$glob"
    glob="$glob/*"
done
# shellcheck disable=SC2086 # the patterns are meant to split; set -f keeps them unexpanded
set -f
msggrep $patterns -o "$VENDOR" "$PO"
set +f
# File-only references: moving code around does not churn the catalogue.
(
    cd "$ROOT/guanxi"
    DJANGO_SETTINGS_MODULE=guanxi.settings PYTHONPATH="$ROOT" \
        "$ROOT/.venv/bin/django-admin" makemessages -l zh_Hans --ignore 'tests/*' --no-obsolete \
        --add-location=file
)
# Give the vendored entries the fresh header, so that msgcat has no header conflict; a plain
# msgcat then keeps both files' source references on msgids they share (--use-first would drop
# the vendored ones, and the entry would no longer be recognised as vendored next time).
sed -n '1,/^$/p' "$PO" >"$VENDOR.header"
msgcat --use-first -o "$VENDOR.new" "$VENDOR.header" "$VENDOR"
msgcat -o "$PO.new" "$PO" "$VENDOR.new"
if grep -q '#-#-#-#-#' "$PO.new"; then
    echo "update.sh: conflicting translations while merging the vendored entries; see $PO.new" >&2
    trap - EXIT
    exit 1
fi
mv "$PO.new" "$PO"
msgfmt --check-format --check-header -o "$MO" "$PO"

# msgattrib's output includes the header entry whenever it is not empty.
count() { n=$(msgattrib --no-obsolete "$@" "$PO" | grep -c '^msgid ' || true); echo $((n > 0 ? n - 1 : 0)); }
untranslated=$(count --untranslated)
fuzzy=$(count --only-fuzzy)
echo "zh_Hans: $(count) messages; untranslated: $untranslated; fuzzy: $fuzzy"
if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
    msgattrib --untranslated --no-obsolete "$PO" | grep '^msgid ' | tail -n +2 || true
    msgattrib --only-fuzzy --no-obsolete "$PO" | grep '^msgid ' | tail -n +2 || true
fi
