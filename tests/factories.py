"""factory_boy factories for the domain."""

import factory
from django.utils import timezone

from recruitment.models import Posting


class PostingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Posting

    title = factory.Sequence(lambda n: f"Backend Developer {n}")
    slug = factory.Sequence(lambda n: f"backend-developer-{n}")
    summary = "Build and run Django services."
    description = "You will build and run Django services.\n\nPython experience required."
    location = "Belgrade, Serbia"
    employment_type = Posting.EmploymentType.FULL_TIME
    status = Posting.Status.OPEN
    published_at = factory.LazyFunction(timezone.now)
