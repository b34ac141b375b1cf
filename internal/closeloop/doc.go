// Package closeloop holds the domain of the product: stores and their
// settings, API keys, orders, surveys, responses and points, and the coded
// errors every layer speaks. It imports nothing from AWS; adapters in other
// packages store and send these types.
package closeloop
