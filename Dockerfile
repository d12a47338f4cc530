# The portal's production image: gunicorn for web, the same image runs Celery.
# Built and started by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The footer's "Date modified": pass the commit date of what is built,
# e.g. --build-arg PORTAL_DATE_MODIFIED=$(git log -1 --format=%cs)
ARG PORTAL_DATE_MODIFIED=""
ENV PORTAL_DATE_MODIFIED=$PORTAL_DATE_MODIFIED

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# demo/ (seed data with published passwords, the fake GC Notify) is development tooling:
# .dockerignore leaves it out, and the build stops if it ever gets in.
RUN test ! -e demo

# Hashed, compressed static files for whitenoise. The secret is a build-time dummy:
# settings refuse to start without one (and without every service address) when DEBUG
# is off; nothing is signed or connected to here.
RUN DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY=collectstatic-build-only-dummy-not-used-at-run-time \
    DJANGO_ALLOWED_HOSTS=localhost \
    PORTAL_SITE_URL=https://build.invalid \
    DATABASE_URL=postgres://build@db.invalid/portal \
    REDIS_URL=redis://redis.invalid:6379/0 \
    EMAIL_URL=smtp://smtp.invalid:25 \
    NOTIFY_BASE_URL=https://notify.invalid \
    NOTIFY_API_KEY=build-only \
    NOTIFY_TEMPLATE_EMAIL_EN=build NOTIFY_TEMPLATE_EMAIL_FR=build \
    NOTIFY_TEMPLATE_SMS_EN=build NOTIFY_TEMPLATE_SMS_FR=build \
    python manage.py collectstatic --noinput

RUN useradd --system --no-create-home --uid 10001 portal
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "portal.access_log.MaskingLogger"]
