/**
 * Configuration machinery (layers, parsers, URL masking). Not API: it may change in any release.
 */
package io.llmstore.core.config.internal;
