"""`python manage.py bench_pipeline`: leads per second through the whole agent pipeline, and SQL per lead.

Offline (the default) it creates a workspace with the evaluation strategy, a 100-lead sample campaign and
an N-lead campaign (accounts, contacts and 2–4 signals each, bulk-created), takes every run through the
real `lead_pipeline_run` with `--concurrency` worker threads, and prints leads/s and queries per lead for
both sizes (they should be equal: the pipeline's queries per lead do not grow with the data).

With `--provider anthropic` it talks to ANTHROPIC_BASE_URL when that is set, else to a local fake
Messages API (its own process) that answers after `--latency-ms` like the offline agents would. It prints
leads/s at each concurrency level against the ideal c ÷ (model calls per lead × latency), then tokens per
lead and the share of input tokens read from the prompt cache for a 100-lead campaign.

The benchmark's workspace stays in the database (audit events are append-only): run it against a
throwaway database, e.g. `scripts/with-postgres`.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from agents.evaluation.bench import bench_campaign, bench_workspace, run_leads, timed, usage_of
from agents.llm import get_provider
from agents.llm.anthropic_provider import AnthropicProvider
from agents.outreach.lead_facts import strategy_for

EFFICIENCY_TARGET = 0.8
OFFLINE_TARGET_LEADS_PER_SECOND = 200


class Command(BaseCommand):
    help = "Benchmark the lead pipeline: leads/s, SQL queries per lead, and (anthropic) concurrency and caching."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=1000, help="Leads in the main campaign (offline).")
        parser.add_argument("--provider", choices=["offline", "anthropic"], default="offline")
        parser.add_argument("--concurrency", type=int, default=4, help="Worker threads (offline).")
        parser.add_argument("--sample", type=int, default=100, help="Leads in the sample campaign (offline).")
        parser.add_argument("--latency-ms", type=int, default=300, help="The local fake model's answer delay.")
        parser.add_argument(
            "--levels", default="1,8,32", help="Concurrency levels to measure (anthropic), comma-separated."
        )
        parser.add_argument(
            "--rounds", type=int, default=8, help="Leads per worker at each level (anthropic): level × rounds leads."
        )
        parser.add_argument(
            "--token-leads", type=int, default=100, help="Leads in the campaign whose token use is reported."
        )

    def handle(self, *args, provider: str, **options):
        for name in ("httpx", "httpx2", "anthropic"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if options["leads"] < 1 or options["sample"] < 1:
            raise CommandError("--leads and --sample must be at least 1")
        database = connection.vendor
        if database == "postgresql":
            version = connection.cursor().connection.info.server_version
            database += f" {version // 10000}.{version % 10000}"
        self.stdout.write(
            f"bench_pipeline: provider {provider}, database {database}"
            + (" (DEBUG's query log is off while measuring, as in production)" if settings.DEBUG else "")
        )
        # DEBUG keeps every SQL statement in memory and times it: not what a production worker pays.
        with override_settings(DEBUG=False):
            if provider == "offline":
                self._offline(**options)
            else:
                self._anthropic(**options)

    # Offline ---------------------------------------------------------------------------------------

    def _offline(self, *, leads: int, concurrency: int, sample: int, **options):
        provider = get_provider("offline")
        setup = bench_workspace(label="offline")
        figures = {}
        for size in (sample, leads):
            (campaign, run_ids), seeding = timed(
                lambda size=size: bench_campaign(setup, name=f"Bench {size} leads", leads=size, seed=size)
            )
            self.stdout.write(f"  seeded {size:,} leads with their accounts, contacts and signals in {seeding:.2f} s")
            result = run_leads(run_ids, provider=provider, concurrency=concurrency)
            figures[size] = result
            window = ""
            if result.leads >= 1000:
                window = (
                    f"; first tenth {result.window_rate(0, 0.1):.0f} leads/s, "
                    f"last tenth {result.window_rate(0.9, 1):.0f} leads/s"
                )
            self.stdout.write(
                f"{size:>7,} leads at concurrency {concurrency}: {result.seconds:.1f} s, "
                f"{result.leads_per_second:.1f} leads/s, {result.queries_per_lead:.1f} SQL queries per lead{window}"
            )
            self.stdout.write("          outcomes: " + _counts(result.outcomes))
        small, large = figures[sample], figures[leads]
        drift = abs(large.queries_per_lead - small.queries_per_lead)
        self.stdout.write(
            f"SQL queries per lead: {small.queries_per_lead:.2f} at {sample:,} leads, "
            f"{large.queries_per_lead:.2f} at {leads:,} leads "
            f"({'constant' if drift < 0.5 else f'differs by {drift:.2f}'})"
        )
        met = "met" if large.leads_per_second >= OFFLINE_TARGET_LEADS_PER_SECOND else "NOT met"
        self.stdout.write(
            f"Throughput: {large.leads_per_second:.1f} leads/s; target {OFFLINE_TARGET_LEADS_PER_SECOND} leads/s {met}."
        )

    # Anthropic -------------------------------------------------------------------------------------

    def _anthropic(self, *, leads: int, latency_ms: int, levels: str, rounds: int, token_leads: int, **options):
        try:
            concurrency_levels = [int(level) for level in levels.split(",") if level.strip()]
        except ValueError:
            raise CommandError(f"--levels must be comma-separated numbers, got {levels!r}") from None
        if not concurrency_levels or min(concurrency_levels) < 1:
            raise CommandError("--levels needs at least one level of 1 or more")
        if settings.ANTHROPIC_BASE_URL:
            if not settings.ANTHROPIC_API_KEY:
                raise CommandError("ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not")
            self.stdout.write(f"  model: {settings.ANTHROPIC_BASE_URL} (ANTHROPIC_BASE_URL)")
            self._anthropic_levels(
                AnthropicProvider.from_settings(), None, leads, concurrency_levels, rounds, token_leads
            )
            return
        # Imported here: it pulls in the fake server the tests use, which production never needs.
        from agents.evaluation.fake_model import fake_messages_api

        with fake_messages_api(latency_ms=latency_ms) as base_url:
            self.stdout.write(f"  model: local fake Messages API at {base_url}, answering after {latency_ms} ms")
            provider = AnthropicProvider(
                api_key=settings.ANTHROPIC_API_KEY or "sk-ant-bench-fake",
                base_url=base_url,
                sdk_max_retries=0,
                retry_attempts=2,
                retry_base_delay_ms=50,
                retry_max_delay_ms=200,
                timeout_seconds=60,
            )
            try:
                self._anthropic_levels(provider, latency_ms, leads, concurrency_levels, rounds, token_leads)
            finally:
                provider.close()

    def _anthropic_levels(self, provider, latency_ms, leads, concurrency_levels, rounds, token_leads):
        setup = bench_workspace(label="anthropic")
        measured = []
        for level in concurrency_levels:
            count = min(leads, level * rounds)
            campaign, run_ids = bench_campaign(setup, name=f"Bench concurrency {level}", leads=count, seed=level)
            result = run_leads(run_ids, provider=provider, concurrency=level)
            usage = usage_of(campaign)
            line = (
                f"concurrency {level:>3}: {count:>4} leads in {result.seconds:.1f} s = "
                f"{result.leads_per_second:.2f} leads/s; {usage.calls_per_lead:.2f} model calls per lead"
            )
            if latency_ms:
                ideal = level / (usage.calls_per_lead * latency_ms / 1000) if usage.calls_per_lead else 0.0
                line += f"; ideal {ideal:.2f} leads/s, reached {result.leads_per_second / ideal:.0%}" if ideal else ""
                measured.append((level, result.leads_per_second, ideal))
            self.stdout.write(line)
            self.stdout.write("          outcomes: " + _counts(result.outcomes))
            if result.statuses.get("failed"):
                self.stdout.write(f"          {result.statuses['failed']} runs failed (see their exception handoffs)")
        if measured:
            level, rate, ideal = max(measured)
            share = rate / ideal if ideal else 0.0
            verdict = "met" if share >= EFFICIENCY_TARGET else "NOT met"
            self.stdout.write(
                f"At concurrency {level}: {share:.0%} of c ÷ (calls per lead × latency); "
                f"target {EFFICIENCY_TARGET:.0%} {verdict}."
            )

        # A workspace of its own, so that the campaign pays its own cache writes.
        setup = bench_workspace(label="tokens")
        campaign, run_ids = bench_campaign(setup, name="Bench token use", leads=token_leads, seed=token_leads)
        run_leads(run_ids, provider=provider, concurrency=max(concurrency_levels))
        usage = usage_of(campaign)
        strategy = strategy_for(campaign)
        per_lead = {
            name: tokens / token_leads
            for name, tokens in (
                ("input", usage.input_tokens),
                ("cache write", usage.cache_write_tokens),
                ("cache read", usage.cache_read_tokens),
                ("output", usage.output_tokens),
            )
        }
        self.stdout.write(
            f"Token use, {token_leads}-lead campaign: {usage.tokens_per_lead:,.0f} tokens per lead ("
            + ", ".join(f"{name} {tokens:,.0f}" for name, tokens in per_lead.items())
            + f"); {usage.cached_input_share:.1%} of input tokens read from the cache; "
            f"${usage.cost_usd / token_leads:.4f} per lead at the configured prices."
        )
        self.stdout.write(
            f"  (the cacheable prefix is the agent's prompt plus about {len(strategy.as_prompt_block()) // 4:,} "
            "tokens of strategy; a real model caches it only above its minimum cacheable length)"
        )


def _counts(counter) -> str:
    return ", ".join(f"{name} {count}" for name, count in counter.most_common())
