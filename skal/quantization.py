"""Dynamic int8 quantisation of a model's linear layers, for faster scoring on the CPU.

:func:`torch.ao.quantization.quantize_dynamic` stores each ``nn.Linear``
weight as int8 and quantises the activations on the fly; on x86 CPUs the
int8 matrix products of a BERT run about 1.3-1.5 times faster than float32.
It is torch's own implementation (deprecated in favour of torchao, which skal
does not depend on); its deprecation warnings are silenced here.
"""

import copy
import warnings

import torch

__all__ = ["quantize_linear_int8"]


def quantize_linear_int8(module, keep=()):
    """A CPU copy of ``module`` with its linear layers dynamically quantised to int8.

    Parameters
    ----------
    module : torch.nn.Module
        Left unchanged.
    keep : iterable of torch.nn.Module, default=()
        Linear layers of ``module`` to keep in float32 (e.g. the final layer,
        whose input :meth:`skal.TransformerClassifier.embed` reads).

    Returns
    -------
    quantized : torch.nn.Module
        In eval mode, on the CPU.

    Examples
    --------
    >>> import torch
    >>> from skal.quantization import quantize_linear_int8
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    >>> q = quantize_linear_int8(net, keep=[net[2]])
    >>> q[0]._get_name(), q[2]._get_name()
    ('DynamicQuantizedLinear', 'Linear')
    >>> bool(torch.allclose(q(torch.ones(1, 4)), net(torch.ones(1, 4)), atol=0.05))
    True
    """
    kept = {id(layer) for layer in keep}
    names = [name for name, layer in module.named_modules()
             if isinstance(layer, torch.nn.Linear) and id(layer) not in kept]
    result = copy.deepcopy(module).cpu().eval()
    spec = dict.fromkeys(names, torch.ao.quantization.default_dynamic_qconfig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning, FutureWarning))
        torch.ao.quantization.quantize_dynamic(result, spec, dtype=torch.qint8, inplace=True)
    return result
