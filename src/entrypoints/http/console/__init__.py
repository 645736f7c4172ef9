"""The owner's console: server-rendered pages under /panel, in Argentine Spanish.

How a page is built (read this before adding one):

1. **A controller module per page or capability** here (``today.py``, ``calendar.py``,
   ``reservations.py``, ``booking_form.py``, ``channels.py``, ``cabins.py``, ``attention.py``,
   ``users.py``, ``sign_in.py``), listed in ``router.CONSOLE_CONTROLLERS``.
   Handlers are thin: read the input, call **the same application use case the JSON admin API
   calls** (never a repository, never a rule of its own), render a template.
2. **Who may use it** — every console route is owner-only unless its decorator says
   ``opt={"staff": True}`` (owners and staff) or ``opt={"public": True}`` (no session).
   ``auth.console_guard`` enforces it for every route; the signed-in person is
   ``auth.console_user(request)``. Add the route to ``ROLE_MATRIX`` in
   tests/e2e/test_console_accounts.py (a test fails until you do). Data only owners may see
   (amounts, guest contact, payments) is left out by the handler with ``auth.is_owner``.
3. **Templates** live in ``templates/``, extend ``base.html`` and are rendered with
   ``rendering.page(request, "x.html", title=…, **context)``, which adds the person, the path,
   the CSP and ``Cache-Control: no-store``. Jinja autoescapes; filters: ``short_date``,
   ``long_date``, ``local_time`` and ``local_moment`` (Argentina), ``money`` (cents →
   ``$ 12.345``), ``month_name``.
4. **Forms** post to the page's own path with ``{{ csrf_input|safe }}`` inside (the CSRF
   middleware on the console router refuses any unsafe request without it: 403 page). Read them
   with ``forms.read_form``. A ``DomainError`` from the use case re-renders the same template
   with the input kept and ``errors={field or "_form": messages.spanish(err)}`` (macros
   ``field`` and ``form_errors`` in ``_macros.html`` mark the field, ``aria-invalid`` and all);
   add the error's ``code`` to ``messages.SPANISH``. A page with several forms gives each
   field a name of its own (``reservations.py``); errors about no field go in ``_name`` keys.
   Success redirects (303) to a page that says what happened (redirect after POST).
5. **No inline script or style** (CSP ``'self'`` only). Behaviour goes in ``static/console.js``;
   htmx (``static/vendor/``, pinned, see its README) is for small enhancements on pages that work
   without it: ``hx-get`` + ``hx-select`` on a full page takes a fragment of the same page's
   answer, so no separate partial endpoint is needed.
6. **Errors** become pages (``errors.console_exception``): not signed in → sign-in page, then
   back to the page asked for; 403, 404 and a 500 showing its trace id — never problem JSON.
7. **Browser test** each page in tests/browser (``check(page, "step")`` runs axe-core and saves
   a screenshot at both viewports).
"""
